// Walk a live moot server's private communities through the real lemmy-js-client
// 1.0.0-beta.2: a moderator makes a community private, a member's follow waits for approval
// (listCommunityPendingFollows, approveCommunityPendingFollow, approve=false to deny), and
// the content is shown only to approved followers, moderators and admins — in listings,
// post and comment pages, search and person pages, on v4 and on v3. Every v4 answer is
// checked against the package's types (check.mjs).
//
//   node walk_v4_private.mjs BASE_URL CONTRACT.json SUFFIX ADMIN_NAME ADMIN_PASSWORD
//
// On success the last line of stdout is a JSON summary {"ok": true, "steps": N, "names": [...],
// "calls", "diffs", "unknown", "never_present"}; on failure the failed step, the error and the
// last HTTP exchanges go to stderr, exit 1.

import assert from "node:assert/strict";
import { ok, fails, startWalk } from "./walk_tools.mjs";

const { baseUrl, suffix, adminName, adminPassword, args, client, v3, tracingFetch, step, finish } =
  startWalk("walk_v4_private.mjs");

const anon = client();
const password = "walk4-private-pass-1";
const nameA = `v4pa_${suffix}`.slice(0, 20);
const nameB = `v4pb_${suffix}`.slice(0, 20);
const nameC = `v4pc_${suffix}`.slice(0, 20);
let mentionB, a, b, c, admin, jwtA, jwtB, jwtC, jwtAdmin, bId, cId, community, postId, commentId;

// What `who` sees of the community's content, by every way of reading it.
async function sees(who, jwt) {
  const listed = await ok(who.getPosts({ community_id: community.id, sort: "new" }));
  const inAll = await ok(who.getPosts({ type_: "all", sort: "new", limit: 50 }));
  const found = await ok(who.search({ search_term: `secret ${suffix}`, type_: "posts" }));
  const comments = await ok(who.getComments({ post_id: postId }));
  const byA = await ok(who.listPersonContent({ username: nameA }));
  const old = await v3("GET", "/post/list", jwt, { community_id: community.id, sort: "New" });
  const post = await who.getPost({ id: postId });
  const comment = await who.getComment({ id: commentId });
  const views = [
    listed.items.some((p) => p.post.id === postId),
    inAll.items.some((p) => p.post.id === postId),
    found.posts.some((p) => p.post.id === postId),
    comments.items.some((x) => x.comment.id === commentId),
    byA.items.some((x) => x.post?.id === postId),
    old.posts.some((p) => p.post.id === postId),
    post.state === "success",
    comment.state === "success",
  ];
  assert.ok(views.every((x) => x === views[0]), `some readings differ: ${views}`);
  if (!views[0]) {
    assert.equal(post.err.name, "not_found");
    assert.equal(comment.err.name, "not_found");
  }
  return views[0];
}

await step("three members and the admin sign in", async () => {
  for (const username of [nameA, nameB, nameC]) {
    await ok(anon.register({ username, password, password_verify: password }));
  }
  jwtA = (await ok(anon.login({ username_or_email: nameA, password }))).jwt;
  jwtB = (await ok(anon.login({ username_or_email: nameB, password }))).jwt;
  jwtC = (await ok(anon.login({ username_or_email: nameC, password }))).jwt;
  jwtAdmin = (await ok(anon.login({ username_or_email: adminName, password: adminPassword }))).jwt;
  a = client(jwtA);
  b = client(jwtB);
  c = client(jwtC);
  admin = client(jwtAdmin);
  bId = (await ok(anon.getPersonDetails({ username: nameB }))).person_view.person.id;
  cId = (await ok(anon.getPersonDetails({ username: nameC }))).person_view.person.id;
});

await step("a community made private at once: its creator follows it, approved", async () => {
  const made = await ok(a.createCommunity({ name: `v4pp_${suffix}`.slice(0, 20), title: "Private from the start", visibility: "private" }));
  assert.equal(made.community_view.community.visibility, "private");
  assert.equal(made.community_view.community_actions.follow_state, "accepted");
  assert.equal(made.community_view.community.subscribers, 1);
});

await step("a moderator makes a community private; v3 reads it as Public", async () => {
  community = (await ok(a.createCommunity({ name: `v4p_${suffix}`.slice(0, 20), title: "Walk private" })))
    .community_view.community;
  const edited = await ok(a.editCommunity({ community_id: community.id, visibility: "private" }));
  assert.equal(edited.community_view.community.visibility, "private");
  const old = await v3("GET", "/community", jwtA, { id: community.id });
  assert.equal(old.community_view.community.visibility, "Public");
  // Sent back as v3 read it, the visibility stays.
  await v3("PUT", "/community", jwtA, { community_id: community.id, visibility: "Public", title: "Walk private" });
  const got = await ok(anon.getCommunity({ id: community.id }));
  assert.equal(got.community_view.community.visibility, "private");
  postId = (await ok(a.createPost({ name: `a secret ${suffix}`, community_id: community.id, url: `https://example.com/shared-${suffix}` }))).post_view.post.id;
  commentId = (await ok(a.createComment({ post_id: postId, content: `a secret reply ${suffix}` }))).comment_view.comment.id;
  assert.equal(await sees(a, jwtA), true);
  assert.equal(await sees(anon), false);
});

await step("a member's follow waits for approval and shows nothing yet", async () => {
  const followed = await ok(b.followCommunity({ community_id: community.id, follow: true }));
  assert.equal(followed.community_view.community_actions.follow_state, "approval_required");
  assert.equal(followed.community_view.community.subscribers, 1);
  const old = await v3("GET", "/community", jwtB, { id: community.id });
  assert.equal(old.community_view.subscribed, "Pending");
  assert.equal(await sees(b, jwtB), false);
  await fails(b.createComment({ post_id: postId, content: "not yet" }), "not_found");
  await fails(b.likePost({ post_id: postId, is_upvote: true }), "not_found");
  await fails(b.createPost({ name: "not yet", community_id: community.id }), "not_found");
  // Mentioned while waiting, the member is told nothing of the hidden comment.
  const host = new URL((await ok(anon.getSite())).site_view.site.ap_id).host;
  mentionB = `@${nameB}@${host}`;
  await ok(a.createComment({ post_id: postId, content: `not yet, ${mentionB}` }));
  assert.deepEqual((await v3("GET", "/user/mention", jwtB, { unread_only: "false" })).mentions, []);
  // A public post of the same link lists the private one as a cross-post only to readers.
  const open = (await ok(b.createCommunity({ name: `v4po_${suffix}`.slice(0, 20), title: "Open" }))).community_view.community;
  const shared = (await ok(b.createPost({ name: "the same link", community_id: open.id, url: `https://example.com/shared-${suffix}` }))).post_view.post.id;
  assert.deepEqual((await ok(b.getPost({ id: shared }))).cross_posts.map((x) => x.post.id), []);
  assert.deepEqual((await ok(a.getPost({ id: shared }))).cross_posts.map((x) => x.post.id), [postId]);
});

await step("the moderator lists the pending follows; others may not", async () => {
  const pending = await ok(a.listCommunityPendingFollows({ unread_only: true }));
  assert.deepEqual(pending.items.map((x) => [x.person.id, x.community.id, x.follow_state]), [
    [bId, community.id, "approval_required"],
  ]);
  assert.equal(pending.items[0].is_new_instance, false); // the moderator follows from here
  await fails(c.listCommunityPendingFollows({}), "not_a_mod_or_admin");
  await fails(c.approveCommunityPendingFollow({ community_id: community.id, follower_id: bId, approve: true }), "not_a_mod_or_admin");
  const all = await ok(admin.listCommunityPendingFollows({ all_communities: true, unread_only: true, limit: 50 }));
  assert.ok(all.items.some((x) => x.person.id === bId));
});

await step("approved, the member reads and takes part", async () => {
  const done = await ok(a.approveCommunityPendingFollow({ community_id: community.id, follower_id: bId, approve: true }));
  assert.equal(done.success, true);
  const got = await ok(b.getCommunity({ id: community.id }));
  assert.equal(got.community_view.community_actions.follow_state, "accepted");
  assert.equal(got.community_view.community.subscribers, 2);
  assert.equal((await v3("GET", "/community", jwtB, { id: community.id })).community_view.subscribed, "Subscribed");
  assert.equal(await sees(b, jwtB), true);
  await ok(b.createComment({ post_id: postId, content: "now I may" }));
  await ok(a.createComment({ post_id: postId, content: `welcome, ${mentionB}` }));
  const told = (await v3("GET", "/user/mention", jwtB, { unread_only: "false" })).mentions;
  assert.deepEqual(told.map((x) => x.comment.content), [`welcome, ${mentionB}`]);
  await ok(b.likePost({ post_id: postId, is_upvote: true }));
  assert.deepEqual((await ok(a.listCommunityPendingFollows({ unread_only: true }))).items, []);
  const listed = await ok(a.listCommunityPendingFollows({}));
  assert.deepEqual(listed.items.map((x) => [x.person.id, x.follow_state]).filter(([id]) => id === bId), [[bId, "accepted"]]);
});

await step("a denied follow is gone; the admin reads everything", async () => {
  await ok(c.followCommunity({ community_id: community.id, follow: true }));
  await ok(a.approveCommunityPendingFollow({ community_id: community.id, follower_id: cId, approve: false }));
  const got = await ok(c.getCommunity({ id: community.id }));
  assert.equal(got.community_view.community_actions?.follow_state, undefined);
  assert.equal(got.community_view.community.subscribers, 2);
  assert.equal(await sees(c, jwtC), false);
  await fails(a.approveCommunityPendingFollow({ community_id: community.id, follower_id: cId, approve: true }), "not_found");
  assert.equal(await sees(admin, jwtAdmin), true);
  // Unfollowed, the member sees nothing again.
  await ok(b.followCommunity({ community_id: community.id, follow: false }));
  assert.equal(await sees(b, jwtB), false);
});

finish();
