// Walk a live moot server's comment locks and warnings (Lemmy 1.0's lockComment, warnPost,
// warnComment) with the real lemmy-js-client 1.0.0-beta.2, checking every v4 answer against
// the package's types (check.mjs), and reading back through v3 what v4 did.
//
//   node walk_v4_locks.mjs BASE_URL CONTRACT.json SUFFIX
//
// On success the last line of stdout is a JSON summary {"ok": true, "steps": N, "names": [...],
// "calls", "diffs", "unknown", "never_present"}; on failure the failed step, the error and the
// last HTTP exchanges go to stderr, exit 1.

import assert from "node:assert/strict";
import { ok, fails, startWalk } from "./walk_tools.mjs";

const { baseUrl, suffix, adminName, adminPassword, args, client, v3Raw: v3, tracingFetch, step, finish } =
  startWalk("walk_v4_locks.mjs");

const anon = client();
const password = "walk-locks-pass-1";
let mod, author, other, jwtMod, jwtAuthor, jwtOther, community, postId, top, under;

await step("a moderator, an author and a bystander; a thread two deep", async () => {
  const jwts = [];
  for (const who of ["m", "a", "o"]) {
    const username = `lk${who}_${suffix}`.slice(0, 20);
    await ok(anon.register({ username, password, password_verify: password }));
    jwts.push((await ok(anon.login({ username_or_email: username, password }))).jwt);
  }
  [jwtMod, jwtAuthor, jwtOther] = jwts;
  [mod, author, other] = jwts.map(client);
  community = (await ok(mod.createCommunity({ name: `lk_${suffix}`.slice(0, 20), title: "Locks" })))
    .community_view.community;
  postId = (await ok(author.createPost({ name: "A thread to lock", community_id: community.id })))
    .post_view.post.id;
  top = (await ok(author.createComment({ post_id: postId, content: "the top comment" }))).comment_view
    .comment;
  assert.equal(top.locked, false);
  under = (await ok(other.createComment({ post_id: postId, parent_id: top.id, content: "a reply" })))
    .comment_view.comment;
});

await step("only a moderator locks a comment", async () => {
  await fails(other.lockComment({ comment_id: top.id, locked: true, reason: "mine now" }), "not_a_mod_or_admin");
  await fails(anon.lockComment({ comment_id: top.id, locked: true, reason: "" }), "incorrect_login");
  await fails(mod.lockComment({ comment_id: 2 ** 31 - 1, locked: true, reason: "" }), "not_found");
});

await step("a locked comment and everything under it are locked", async () => {
  const locked = await ok(mod.lockComment({ comment_id: top.id, locked: true, reason: "cool down" }));
  assert.equal(locked.comment_view.comment.locked, true);
  assert.equal(locked.comment_view.comment.id, top.id);
  assert.equal((await ok(anon.getComment({ id: under.id }))).comment_view.comment.locked, true);
  const listed = await ok(anon.getComments({ post_id: postId }));
  assert.deepEqual(listed.items.map((v) => v.comment.locked), [true, true]);
  const post = await ok(anon.getPost({ id: postId }));
  assert.equal(post.post_view.post.locked, false, "the post itself stays open");
});

await step("members cannot reply anywhere under it, on v4 or v3; moderators can", async () => {
  await fails(other.createComment({ post_id: postId, parent_id: top.id, content: "no" }), "locked");
  await fails(author.createComment({ post_id: postId, parent_id: under.id, content: "deeper" }), "locked");
  const refused = await v3("POST", "/comment", jwtOther, { post_id: postId, parent_id: under.id, content: "v3" });
  assert.equal(refused.status, 400);
  assert.equal(refused.json.error, "locked");
  const modReply = await ok(mod.createComment({ post_id: postId, parent_id: top.id, content: "a word from the mods" }));
  assert.equal(modReply.comment_view.comment.locked, true, "a reply in a locked thread is locked too");
  const elsewhere = await ok(other.createComment({ post_id: postId, content: "a new top comment" }));
  assert.equal(elsewhere.comment_view.comment.locked, false);
});

await step("v3 reads a locked comment in its own shape", async () => {
  const got = await v3("GET", "/comment", jwtOther, { id: top.id });
  assert.equal(got.status, 200);
  assert.equal("locked" in got.json.comment_view.comment, false);
});

await step("the lock is in the modlog and in the author's notifications", async () => {
  const log = await ok(anon.getModlog({ type_: "mod_lock_comment", comment_id: top.id }));
  assert.equal(log.items.length, 1);
  assert.equal(log.items[0].modlog.kind, "mod_lock_comment");
  assert.equal(log.items[0].modlog.is_revert, false);
  assert.equal(log.items[0].modlog.reason, "cool down");
  assert.equal(log.items[0].target_comment.id, top.id);
  const notes = await ok(author.listNotifications({ type_: "mod_action" }));
  assert.equal(notes.items.length, 1);
  const [note] = notes.items;
  assert.equal(note.notification.kind, "mod_action");
  assert.equal(note.notification.modlog_id, log.items[0].modlog.id);
  assert.equal(note.data.type_, "mod_action");
  assert.equal(note.data.modlog.kind, "mod_lock_comment");
  assert.equal((await ok(other.listNotifications({ type_: "mod_action" }))).items.length, 0);
});

await step("unlocking opens the whole sub-thread again", async () => {
  const open = await ok(mod.lockComment({ comment_id: top.id, locked: false, reason: "" }));
  assert.equal(open.comment_view.comment.locked, false);
  assert.equal((await ok(anon.getComment({ id: under.id }))).comment_view.comment.locked, false);
  await ok(other.createComment({ post_id: postId, parent_id: under.id, content: "open again" }));
  const log = await ok(anon.getModlog({ type_: "mod_lock_comment", comment_id: top.id }));
  assert.deepEqual(log.items.map((i) => i.modlog.is_revert), [true, false]);
});

await step("a moderator warns the author of a post", async () => {
  await fails(other.warnPost({ post_id: postId, reason: "you there" }), "not_a_mod_or_admin");
  await fails(mod.warnPost({ post_id: postId, reason: "  " }), "invalid_body_field");
  const before = (await ok(author.getUnreadCounts())).notification_count;
  const warned = await ok(mod.warnPost({ post_id: postId, reason: "mind the rules" }));
  assert.equal(warned.post_view.post.id, postId);
  assert.equal((await ok(author.getUnreadCounts())).notification_count, before + 1);
  const notes = await ok(author.listNotifications({ type_: "mod_action", unread_only: true }));
  const note = notes.items.find((n) => n.data.modlog.kind === "mod_warn_post");
  assert.ok(note, JSON.stringify(notes));
  assert.equal(note.data.modlog.reason, "mind the rules");
  assert.equal(note.data.target_post.id, postId);
  assert.equal(note.notification.read, false);
  await ok(author.markNotificationAsRead({ notification_id: note.notification.id, read: true }));
  assert.equal((await ok(author.getUnreadCounts())).notification_count, before);
  await fails(other.markNotificationAsRead({ notification_id: note.notification.id, read: true }), "not_found");
});

await step("a moderator warns the author of a comment; the modlog lists both warnings", async () => {
  await fails(other.warnComment({ comment_id: top.id, reason: "hey" }), "not_a_mod_or_admin");
  const warned = await ok(mod.warnComment({ comment_id: under.id, reason: "be kind" }));
  assert.equal(warned.comment_view.comment.id, under.id);
  const all = await ok(other.listNotifications({}));
  const note = all.items.find((n) => n.notification.kind === "mod_action");
  assert.equal(note.data.modlog.kind, "mod_warn_comment");
  assert.equal(note.data.target_comment.id, under.id);
  const log = await ok(anon.getModlog({ community_id: community.id }));
  const kinds = log.items.map((i) => i.modlog.kind);
  assert.ok(kinds.includes("mod_warn_post") && kinds.includes("mod_warn_comment"), kinds.join());
  const v3log = await v3("GET", "/modlog", undefined, { community_id: community.id });
  assert.equal(v3log.status, 200, "v3's modlog answers as it did, without 1.0's kinds");
});

await step("marking all read reads the moderators' notices too", async () => {
  await ok(other.markAllNotificationsAsRead());
  assert.equal((await ok(other.getUnreadCounts())).notification_count, 0);
  const unread = await ok(other.listNotifications({ type_: "mod_action", unread_only: true }));
  assert.equal(unread.items.length, 0);
});

finish();
