// Every moderator and admin action of Lemmy 0.19, done with the real lemmy-js-client 0.19.9
// against a live moot server, each also tried by someone not allowed to (Lemmy's error).
//
//   node moderation.mjs http://127.0.0.1:PORT SUFFIX ADMIN_NAME ADMIN_PASSWORD
//
// Each step is named after the action (tests/live/test_moderation*.py look them up). A step
// that fails is reported and the walk goes on with the next one, so one broken action
// fails one test. The last line of stdout is a JSON summary {"passed": [...], "failed": {...}}.

import assert from "node:assert/strict";
import { LemmyHttp } from "lemmy-js-client";

const [baseUrl, suffix, adminName, adminPassword] = process.argv.slice(2);
if (!baseUrl || !suffix || !adminName || !adminPassword) {
  console.error("usage: node moderation.mjs BASE_URL UNIQUE_SUFFIX ADMIN_NAME ADMIN_PASSWORD");
  process.exit(2);
}

const client = (jwt) =>
  new LemmyHttp(baseUrl, { headers: jwt ? { Authorization: `Bearer ${jwt}` } : {} });

const passed = [];
const failed = {};
async function step(name, fn) {
  try {
    await fn();
    passed.push(name);
  } catch (err) {
    failed[name] = String(err?.stack ?? err);
  }
}

/** lemmy-js-client rejects with `new Error(json.error)`: the message is Lemmy's error code. */
async function rejectsWith(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.message, code);
    return true;
  });
}

const password = "js-moderation-pass-1";
const name = (role) => `${role}_${suffix}`.slice(0, 20);
const anon = client();
const admin = client((await anon.login({ username_or_email: adminName, password: adminPassword })).jwt);
const adminId = (await admin.getSite()).my_user.local_user_view.person.id;

async function member(role) {
  const r = await anon.register({ username: name(role), password, password_verify: password });
  const http = client(r.jwt);
  const me = (await http.getSite()).my_user.local_user_view.person;
  return { http, id: me.id, name: me.name, jwt: r.jwt };
}

const [mod, user, outsider, second, victim, purgee, leaver] = [
  await member("jm"),
  await member("ju"),
  await member("jo"),
  await member("js"),
  await member("jv"),
  await member("jp"),
  await member("jl"),
];
const community = (
  await mod.http.createCommunity({ name: name("jc"), title: "JS moderation" })
).community_view.community;
const cid = community.id;
const newPost = async (who, title) =>
  (await who.http.createPost({ name: title, community_id: cid })).post_view.post;
const newComment = async (who, postId, content) =>
  (await who.http.createComment({ post_id: postId, content })).comment_view.comment;
const inCommunity = async (who) =>
  (await who.getPosts({ community_id: cid, sort: "New", limit: 50 })).posts.map((p) => p.post.id);
const counts = async () => (await anon.getCommunity({ id: cid })).community_view.counts;

await step("remove_post", async () => {
  const post = await newPost(user, "Remove me");
  const before = (await counts()).posts;
  await rejectsWith(outsider.http.removePost({ post_id: post.id, removed: true }), "not_a_mod_or_admin");
  const removed = await mod.http.removePost({ post_id: post.id, removed: true, reason: "off topic" });
  assert.equal(removed.post_view.post.removed, true);
  assert.ok(!(await inCommunity(anon)).includes(post.id));
  await rejectsWith(outsider.http.getPost({ id: post.id }), "couldnt_find_post");
  assert.equal((await mod.http.getPost({ id: post.id })).post_view.post.removed, true);
  assert.equal((await counts()).posts, before - 1);
  const restored = await mod.http.removePost({ post_id: post.id, removed: false });
  assert.equal(restored.post_view.post.removed, false);
  assert.ok((await inCommunity(anon)).includes(post.id));
  assert.equal((await counts()).posts, before);
});

await step("remove_comment", async () => {
  const post = await newPost(user, "Comment removal");
  const comment = await newComment(user, post.id, "Rude words");
  await rejectsWith(
    outsider.http.removeComment({ comment_id: comment.id, removed: true }),
    "not_a_mod_or_admin",
  );
  const removed = await mod.http.removeComment({ comment_id: comment.id, removed: true, reason: "rude" });
  assert.equal(removed.comment_view.comment.removed, true);
  const seen = await outsider.http.getComment({ id: comment.id });
  assert.equal(seen.comment_view.comment.content, "");
  assert.equal((await anon.getPost({ id: post.id })).post_view.counts.comments, 0);
  const restored = await mod.http.removeComment({ comment_id: comment.id, removed: false });
  assert.equal(restored.comment_view.comment.removed, false);
  assert.equal((await outsider.http.getComment({ id: comment.id })).comment_view.comment.content, "Rude words");
  assert.equal((await anon.getPost({ id: post.id })).post_view.counts.comments, 1);
});

await step("lock_post", async () => {
  const post = await newPost(user, "Lock me");
  await rejectsWith(outsider.http.lockPost({ post_id: post.id, locked: true }), "not_a_mod_or_admin");
  assert.equal((await mod.http.lockPost({ post_id: post.id, locked: true })).post_view.post.locked, true);
  await rejectsWith(user.http.createComment({ post_id: post.id, content: "late" }), "locked");
  await newComment(mod, post.id, "Moderators may still speak");
  assert.equal((await mod.http.lockPost({ post_id: post.id, locked: false })).post_view.post.locked, false);
  await newComment(user, post.id, "open again");
});

await step("feature_post_community", async () => {
  const older = await newPost(user, "Pin me");
  await newPost(user, "Newer post");
  const form = { post_id: older.id, featured: true, feature_type: "Community" };
  await rejectsWith(outsider.http.featurePost(form), "not_a_mod_or_admin");
  const pinned = await mod.http.featurePost(form);
  assert.equal(pinned.post_view.post.featured_community, true);
  assert.equal((await inCommunity(anon))[0], older.id);
  const unpinned = await mod.http.featurePost({ ...form, featured: false });
  assert.equal(unpinned.post_view.post.featured_community, false);
  assert.notEqual((await inCommunity(anon))[0], older.id);
});

await step("feature_post_local", async () => {
  const post = await newPost(user, "Front page");
  const form = { post_id: post.id, featured: true, feature_type: "Local" };
  await rejectsWith(mod.http.featurePost(form), "not_an_admin");
  assert.equal((await admin.featurePost(form)).post_view.post.featured_local, true);
  const front = await anon.getPosts({ type_: "Local", sort: "New", limit: 1 });
  assert.equal(front.posts[0].post.id, post.id);
  assert.equal((await admin.featurePost({ ...form, featured: false })).post_view.post.featured_local, false);
});

await step("distinguish_comment", async () => {
  const post = await newPost(user, "Distinguished");
  const own = await newComment(user, post.id, "mine");
  const mods = await newComment(mod, post.id, "Speaking as a moderator");
  await rejectsWith(
    user.http.distinguishComment({ comment_id: own.id, distinguished: true }),
    "not_a_mod_or_admin",
  );
  await rejectsWith(
    mod.http.distinguishComment({ comment_id: own.id, distinguished: true }),
    "no_comment_edit_allowed",
  );
  const done = await mod.http.distinguishComment({ comment_id: mods.id, distinguished: true });
  assert.equal(done.comment_view.comment.distinguished, true);
});

await step("ban_from_community", async () => {
  const kept = await newPost(user, "Written before the ban");
  const expires = Math.floor(Date.now() / 1000) + 3600;
  const form = { community_id: cid, person_id: user.id, ban: true, reason: "trolling", expires };
  await rejectsWith(outsider.http.banFromCommunity(form), "not_a_mod_or_admin");
  const banned = await mod.http.banFromCommunity({ ...form, remove_data: true });
  assert.equal(banned.banned, true);
  assert.equal(banned.person_view.person.id, user.id);
  await rejectsWith(user.http.createPost({ name: "Banned post", community_id: cid }), "banned_from_community");
  assert.equal((await user.http.getCommunity({ id: cid })).community_view.banned_from_community, true);
  await rejectsWith(user.http.getPost({ id: kept.id }), "couldnt_find_post");
  const lifted = await mod.http.banFromCommunity({ ...form, ban: false, remove_data: true });
  assert.equal(lifted.banned, false);
  assert.equal((await user.http.getPost({ id: kept.id })).post_view.post.removed, false);
  await newPost(user, "Back again");
});

await step("add_mod", async () => {
  const form = { community_id: cid, person_id: second.id, added: true };
  await rejectsWith(outsider.http.addModToCommunity(form), "not_a_mod_or_admin");
  const added = await mod.http.addModToCommunity(form);
  assert.deepEqual(added.moderators.map((m) => m.moderator.id), [mod.id, second.id]);
  await rejectsWith(mod.http.addModToCommunity(form), "community_moderator_already_exists");
  await rejectsWith(
    second.http.addModToCommunity({ community_id: cid, person_id: mod.id, added: false }),
    "not_higher_mod",
  );
  const dismissed = await mod.http.addModToCommunity({ ...form, added: false });
  assert.deepEqual(dismissed.moderators.map((m) => m.moderator.id), [mod.id]);
});

await step("transfer_community", async () => {
  await mod.http.addModToCommunity({ community_id: cid, person_id: second.id, added: true });
  await rejectsWith(
    outsider.http.transferCommunity({ community_id: cid, person_id: outsider.id }),
    "not_an_admin",
  );
  await rejectsWith(
    second.http.transferCommunity({ community_id: cid, person_id: second.id }),
    "not_an_admin",
  );
  const moved = await mod.http.transferCommunity({ community_id: cid, person_id: second.id });
  assert.deepEqual(moved.moderators.map((m) => m.moderator.id), [second.id, mod.id]);
  assert.equal(moved.community_view.community.id, cid);
  const back = await second.http.transferCommunity({ community_id: cid, person_id: mod.id });
  assert.deepEqual(back.moderators.map((m) => m.moderator.id), [mod.id, second.id]);
  await mod.http.addModToCommunity({ community_id: cid, person_id: second.id, added: false });
});

await step("edit_community", async () => {
  await rejectsWith(
    outsider.http.editCommunity({ community_id: cid, title: "Taken over" }),
    "not_a_mod_or_admin",
  );
  const edited = await mod.http.editCommunity({ community_id: cid, title: "JS moderation, edited" });
  assert.equal(edited.community_view.community.title, "JS moderation, edited");
});

await step("moderator_view", async () => {
  const post = await newPost(user, "For the moderators");
  const mine = await mod.http.getPosts({ type_: "ModeratorView", sort: "New", limit: 50 });
  assert.ok(mine.posts.map((p) => p.post.id).includes(post.id));
  const theirs = await outsider.http.getPosts({ type_: "ModeratorView", sort: "New", limit: 50 });
  assert.ok(!theirs.posts.map((p) => p.post.id).includes(post.id));
});

await step("list_post_likes", async () => {
  const post = await newPost(user, "Votes on a post");
  await outsider.http.likePost({ post_id: post.id, score: -1 });
  await rejectsWith(outsider.http.listPostLikes({ post_id: post.id }), "not_a_mod_or_admin");
  const likes = (await mod.http.listPostLikes({ post_id: post.id })).post_likes;
  assert.deepEqual(likes.map((v) => [v.creator.id, v.score]), [[outsider.id, -1], [user.id, 1]]);
  assert.equal(likes[0].creator_banned_from_community, false);
  assert.equal((await admin.listPostLikes({ post_id: post.id })).post_likes.length, 2);
});

await step("list_comment_likes", async () => {
  const post = await newPost(user, "Votes on a comment");
  const comment = await newComment(user, post.id, "vote on me");
  await outsider.http.likeComment({ comment_id: comment.id, score: -1 });
  await rejectsWith(outsider.http.listCommentLikes({ comment_id: comment.id }), "not_a_mod_or_admin");
  const likes = (await mod.http.listCommentLikes({ comment_id: comment.id })).comment_likes;
  assert.deepEqual(likes.map((v) => [v.creator.id, v.score]), [[outsider.id, -1], [user.id, 1]]);
});

await step("ban_person", async () => {
  const post = await newPost(victim, "Spam everywhere");
  const expires = Math.floor(Date.now() / 1000) + 86400;
  const form = { person_id: victim.id, ban: true, reason: "spam", expires, remove_data: true };
  await rejectsWith(mod.http.banPerson(form), "not_an_admin");
  const banned = await admin.banPerson(form);
  assert.equal(banned.banned, true);
  assert.equal(banned.person_view.person.banned, true);
  assert.ok(banned.person_view.person.ban_expires);
  await rejectsWith(victim.http.createPost({ name: "more spam", community_id: cid }), "incorrect_login");
  await rejectsWith(anon.login({ username_or_email: victim.name, password }), "site_ban");
  assert.equal((await admin.getPost({ id: post.id })).post_view.post.removed, true);
  const lifted = await admin.banPerson({ person_id: victim.id, ban: false, remove_data: true });
  assert.equal(lifted.person_view.person.banned, false);
  const again = client((await anon.login({ username_or_email: victim.name, password })).jwt);
  victim.http = again;
  assert.equal((await again.getPost({ id: post.id })).post_view.post.removed, false);
});

await step("banned_persons", async () => {
  await admin.banPerson({ person_id: victim.id, ban: true });
  await rejectsWith(user.http.getBannedPersons(), "not_an_admin");
  const listed = (await admin.getBannedPersons()).banned.map((p) => p.person.id);
  assert.ok(listed.includes(victim.id));
  await admin.banPerson({ person_id: victim.id, ban: false });
  assert.ok(!(await admin.getBannedPersons()).banned.map((p) => p.person.id).includes(victim.id));
  victim.http = client((await anon.login({ username_or_email: victim.name, password })).jwt);
});

await step("add_admin", async () => {
  await rejectsWith(mod.http.addAdmin({ person_id: second.id, added: true }), "not_an_admin");
  const added = await admin.addAdmin({ person_id: second.id, added: true });
  assert.ok(added.admins.map((a) => a.person.id).includes(second.id));
  assert.equal((await second.http.getSite()).my_user.local_user_view.local_user.admin, true);
  await rejectsWith(second.http.addAdmin({ person_id: adminId, added: false }), "not_higher_admin");
  const removed = await admin.addAdmin({ person_id: second.id, added: false });
  assert.ok(!removed.admins.map((a) => a.person.id).includes(second.id));
});

await step("leave_admin", async () => {
  await rejectsWith(user.http.leaveAdmin(), "not_an_admin");
  await admin.addAdmin({ person_id: leaver.id, added: true });
  const site = await leaver.http.leaveAdmin();
  assert.equal(site.my_user.local_user_view.local_user.admin, false);
  assert.ok(!site.admins.map((a) => a.person.id).includes(leaver.id));
});

await step("hide_community", async () => {
  const post = await newPost(user, "In a hidden community");
  const form = { community_id: cid, hidden: true, reason: "quiet please" };
  await rejectsWith(mod.http.hideCommunity(form), "not_an_admin");
  assert.deepEqual(await admin.hideCommunity(form), { success: true });
  assert.equal((await anon.getCommunity({ id: cid })).community_view.community.hidden, true);
  const front = await anon.getPosts({ type_: "All", sort: "New", limit: 50 });
  assert.ok(!front.posts.map((p) => p.post.id).includes(post.id));
  await admin.hideCommunity({ ...form, hidden: false });
  assert.equal((await anon.getCommunity({ id: cid })).community_view.community.hidden, false);
});

await step("remove_community", async () => {
  const form = { community_id: cid, removed: true, reason: "broke the rules" };
  await rejectsWith(mod.http.removeCommunity(form), "not_an_admin");
  const removed = await admin.removeCommunity(form);
  assert.equal(removed.community_view.community.removed, true);
  await rejectsWith(
    user.http.createPost({ name: "Into the void", community_id: cid }),
    "cannot_create_post_or_comment_in_deleted_or_removed_community",
  );
  const restored = await admin.removeCommunity({ ...form, removed: false });
  assert.equal(restored.community_view.community.removed, false);
});

await step("purge_comment", async () => {
  const post = await newPost(user, "Purge a comment");
  const comment = await newComment(user, post.id, "to be purged");
  await rejectsWith(mod.http.purgeComment({ comment_id: comment.id }), "not_an_admin");
  assert.deepEqual(await admin.purgeComment({ comment_id: comment.id, reason: "illegal" }), { success: true });
  await rejectsWith(anon.getComment({ id: comment.id }), "couldnt_find_comment");
  assert.equal((await anon.getPost({ id: post.id })).post_view.counts.comments, 0);
});

await step("purge_post", async () => {
  const post = await newPost(user, "Purge a post");
  await newComment(outsider, post.id, "a comment that goes too");
  const before = (await counts()).posts;
  await rejectsWith(mod.http.purgePost({ post_id: post.id }), "not_an_admin");
  assert.deepEqual(await admin.purgePost({ post_id: post.id, reason: "illegal" }), { success: true });
  await rejectsWith(anon.getPost({ id: post.id }), "couldnt_find_post");
  assert.equal((await counts()).posts, before - 1);
});

await step("purge_community", async () => {
  const doomed = (await mod.http.createCommunity({ name: name("jd"), title: "Doomed" }))
    .community_view.community;
  await user.http.createPost({ name: "Doomed post", community_id: doomed.id });
  await rejectsWith(mod.http.purgeCommunity({ community_id: doomed.id }), "not_an_admin");
  assert.deepEqual(await admin.purgeCommunity({ community_id: doomed.id }), { success: true });
  await rejectsWith(anon.getCommunity({ id: doomed.id }), "couldnt_find_community");
});

await step("purge_person", async () => {
  await newPost(purgee, "Written by someone to be purged");
  await rejectsWith(mod.http.purgePerson({ person_id: purgee.id }), "not_an_admin");
  assert.deepEqual(await admin.purgePerson({ person_id: purgee.id, reason: "bot" }), { success: true });
  await rejectsWith(anon.getPersonDetails({ person_id: purgee.id }), "couldnt_find_person");
});

await step("report_post", async () => {
  const post = await newPost(outsider, "Reported post");
  const filed = await user.http.createPostReport({ post_id: post.id, reason: "misleading" });
  const report = filed.post_report_view.post_report;
  assert.equal(report.reason, "misleading");
  assert.equal(report.original_post_name, "Reported post");
  assert.equal(filed.post_report_view.creator.id, user.id);
  assert.equal(filed.post_report_view.post_creator.id, outsider.id);
  await rejectsWith(outsider.http.listPostReports({}), "not_a_mod_or_admin");
  const listed = await mod.http.listPostReports({ community_id: cid, unresolved_only: true });
  assert.ok(listed.post_reports.map((r) => r.post_report.id).includes(report.id));
  assert.ok((await mod.http.getReportCount({ community_id: cid })).post_reports >= 1);
  await rejectsWith(
    outsider.http.resolvePostReport({ report_id: report.id, resolved: true }),
    "not_a_mod_or_admin",
  );
  const resolved = await mod.http.resolvePostReport({ report_id: report.id, resolved: true });
  assert.equal(resolved.post_report_view.post_report.resolved, true);
  assert.equal(resolved.post_report_view.resolver.id, mod.id);
});

await step("report_comment", async () => {
  const post = await newPost(user, "A thread");
  const comment = await newComment(outsider, post.id, "reported words");
  const filed = await user.http.createCommentReport({ comment_id: comment.id, reason: "abuse" });
  const report = filed.comment_report_view.comment_report;
  assert.equal(report.original_comment_text, "reported words");
  assert.equal(filed.comment_report_view.comment_creator.id, outsider.id);
  await rejectsWith(outsider.http.listCommentReports({}), "not_a_mod_or_admin");
  const listed = await mod.http.listCommentReports({ community_id: cid, unresolved_only: true });
  assert.ok(listed.comment_reports.map((r) => r.comment_report.id).includes(report.id));
  assert.ok((await mod.http.getReportCount({})).comment_reports >= 1);
  await rejectsWith(
    outsider.http.resolveCommentReport({ report_id: report.id, resolved: true }),
    "not_a_mod_or_admin",
  );
  const resolved = await mod.http.resolveCommentReport({ report_id: report.id, resolved: true });
  assert.equal(resolved.comment_report_view.comment_report.resolved, true);
});

await step("report_private_message", async () => {
  const sent = await outsider.http.createPrivateMessage({ recipient_id: user.id, content: "buy my stuff" });
  const pmId = sent.private_message_view.private_message.id;
  await rejectsWith(
    mod.http.createPrivateMessageReport({ private_message_id: pmId, reason: "spam" }),
    "couldnt_create_report",
  );
  const filed = await user.http.createPrivateMessageReport({ private_message_id: pmId, reason: "spam" });
  const report = filed.private_message_report_view.private_message_report;
  assert.equal(report.original_pm_text, "buy my stuff");
  await rejectsWith(mod.http.listPrivateMessageReports({}), "not_an_admin");
  const listed = await admin.listPrivateMessageReports({ unresolved_only: true });
  assert.ok(listed.private_message_reports.map((r) => r.private_message_report.id).includes(report.id));
  assert.ok((await admin.getReportCount({})).private_message_reports >= 1);
  await rejectsWith(
    mod.http.resolvePrivateMessageReport({ report_id: report.id, resolved: true }),
    "not_an_admin",
  );
  const resolved = await admin.resolvePrivateMessageReport({ report_id: report.id, resolved: true });
  assert.equal(resolved.private_message_report_view.private_message_report.resolved, true);
});

await step("private_messages", async () => {
  const sent = await user.http.createPrivateMessage({ recipient_id: outsider.id, content: "Hello *there*" });
  const pm = sent.private_message_view.private_message;
  assert.equal(sent.private_message_view.recipient.id, outsider.id);
  await rejectsWith(
    outsider.http.editPrivateMessage({ private_message_id: pm.id, content: "forged" }),
    "edit_private_message_not_allowed",
  );
  const edited = await user.http.editPrivateMessage({ private_message_id: pm.id, content: "Hello again" });
  assert.equal(edited.private_message_view.private_message.content, "Hello again");
  const unread = await outsider.http.getUnreadCount();
  assert.ok(unread.private_messages >= 1);
  const inbox = await outsider.http.getPrivateMessages({ unread_only: true, creator_id: user.id });
  assert.deepEqual(inbox.private_messages.map((v) => v.private_message.id), [pm.id]);
  await rejectsWith(
    user.http.markPrivateMessageAsRead({ private_message_id: pm.id, read: true }),
    "couldnt_update_private_message",
  );
  await outsider.http.markPrivateMessageAsRead({ private_message_id: pm.id, read: true });
  assert.equal((await outsider.http.getUnreadCount()).private_messages, unread.private_messages - 1);
  await user.http.deletePrivateMessage({ private_message_id: pm.id, deleted: true });
  const after = await outsider.http.getPrivateMessages({ creator_id: user.id });
  assert.ok(!after.private_messages.map((v) => v.private_message.id).includes(pm.id));
  await outsider.http.blockPerson({ person_id: user.id, block: true });
  await rejectsWith(
    user.http.createPrivateMessage({ recipient_id: outsider.id, content: "let me in" }),
    "person_is_blocked",
  );
  await outsider.http.blockPerson({ person_id: user.id, block: false });
});

await step("registration_applications", async () => {
  await admin.editSite({ registration_mode: "RequireApplication", application_question: "Why?" });
  try {
    const applicant = name("ja");
    const created = await anon.register({ username: applicant, password, password_verify: password, answer: "I like JS" });
    assert.equal(created.registration_created, true);
    assert.equal(created.jwt, undefined);
    const login = () => anon.login({ username_or_email: applicant, password });
    await rejectsWith(login(), "registration_application_is_pending");
    await rejectsWith(mod.http.listRegistrationApplications({}), "not_an_admin");
    await rejectsWith(mod.http.getUnreadRegistrationApplicationCount(), "not_an_admin");
    assert.ok((await admin.getUnreadRegistrationApplicationCount()).registration_applications >= 1);
    const pending = await admin.listRegistrationApplications({ unread_only: true });
    const mine = pending.registration_applications.find((a) => a.creator.name === applicant);
    assert.equal(mine.registration_application.answer, "I like JS");
    const appId = mine.registration_application.id;
    await rejectsWith(
      mod.http.approveRegistrationApplication({ id: appId, approve: true }),
      "not_an_admin",
    );
    const denied = await admin.approveRegistrationApplication({ id: appId, approve: false, deny_reason: "no bots" });
    assert.equal(denied.registration_application.registration_application.deny_reason, "no bots");
    assert.equal(denied.registration_application.admin.id, adminId);
    await rejectsWith(login(), "registration_denied");
    const byPerson = await admin.getRegistrationApplication({ person_id: mine.creator.id });
    assert.equal(byPerson.registration_application.registration_application.id, appId);
    await admin.approveRegistrationApplication({ id: appId, approve: true });
    assert.equal(typeof (await login()).jwt, "string");
  } finally {
    await admin.editSite({ registration_mode: "Open" });
  }
});

await step("modlog", async () => {
  const everyone = await anon.getModlog({ community_id: cid, limit: 50 });
  assert.ok(everyone.removed_posts.length >= 2);
  assert.ok(everyone.removed_posts.every((v) => v.moderator === undefined && v.mod_remove_post.mod_person_id === 0));
  assert.ok(everyone.removed_posts.some((v) => v.mod_remove_post.reason === "off topic"));
  const byMod = await mod.http.getModlog({ community_id: cid, limit: 50 });
  assert.ok(byMod.removed_posts.every((v) => v.moderator !== undefined));
  assert.ok(byMod.removed_posts.some((v) => v.moderator.id === mod.id && v.mod_remove_post.mod_person_id === mod.id));
  const locks = await admin.getModlog({ type_: "ModLockPost", community_id: cid });
  assert.ok(locks.locked_posts.length >= 2);
  assert.equal(locks.removed_posts.length, 0);
  const bans = await admin.getModlog({ other_person_id: user.id, type_: "ModBanFromCommunity" });
  assert.deepEqual(bans.banned_from_community.map((v) => v.mod_ban_from_community.banned), [false, true]);
  assert.equal(bans.banned_from_community[1].banned_person.id, user.id);
  assert.equal(bans.banned_from_community[1].mod_ban_from_community.reason, "trolling");
  const siteBans = await admin.getModlog({ type_: "ModBan", mod_person_id: adminId });
  assert.ok(siteBans.banned.some((v) => v.banned_person.id === victim.id && v.mod_ban.expires));
  const purges = await admin.getModlog({ type_: "AdminPurgePerson" });
  assert.ok(purges.admin_purged_persons.some((v) => v.admin_purge_person.reason === "bot"));
  const hides = await admin.getModlog({ type_: "ModHideCommunity", community_id: cid });
  assert.deepEqual(hides.hidden_communities.map((v) => v.mod_hide_community.hidden), [false, true]);
  const transfers = await admin.getModlog({ type_: "ModTransferCommunity", community_id: cid });
  assert.equal(transfers.transferred_to_community.length, 2);
  const admins = await admin.getModlog({ type_: "ModAdd", other_person_id: second.id });
  assert.deepEqual(admins.added.map((v) => v.mod_add.removed), [true, false]);
  const features = await admin.getModlog({ type_: "ModFeaturePost", community_id: cid });
  assert.ok(features.featured_posts.some((v) => v.mod_feature_post.is_featured_community === false));
});

await step("custom_emoji", async () => {
  const form = {
    category: "test",
    shortcode: ` Party_${suffix} `.slice(0, 30),
    image_url: "https://example.com/party.png",
    alt_text: "party",
    keywords: ["Fun", "fun ", "celebrate"],
  };
  await rejectsWith(user.http.createCustomEmoji(form), "not_an_admin");
  const created = (await admin.createCustomEmoji(form)).custom_emoji;
  assert.equal(created.custom_emoji.shortcode, form.shortcode.trim().toLowerCase());
  assert.deepEqual(created.keywords.map((k) => k.keyword).sort(), ["celebrate", "fun"]);
  const id = created.custom_emoji.id;
  assert.ok((await anon.getSite()).custom_emojis.some((e) => e.custom_emoji.id === id));
  const edit = { id, category: "party", image_url: "https://example.com/p2.png", alt_text: "p", keywords: [] };
  await rejectsWith(user.http.editCustomEmoji(edit), "not_an_admin");
  const edited = (await admin.editCustomEmoji(edit)).custom_emoji;
  assert.equal(edited.custom_emoji.category, "party");
  await rejectsWith(user.http.deleteCustomEmoji({ id }), "not_an_admin");
  assert.deepEqual(await admin.deleteCustomEmoji({ id }), { success: true });
  assert.ok(!(await anon.getSite()).custom_emojis.some((e) => e.custom_emoji.id === id));
});

await step("edit_site", async () => {
  await rejectsWith(user.http.editSite({ enable_downvotes: false }), "not_an_admin");
  const edited = await admin.editSite({ enable_downvotes: false, taglines: ["JS was here"] });
  assert.equal(edited.site_view.local_site.enable_downvotes, false);
  assert.deepEqual(edited.taglines.map((t) => t.content), ["JS was here"]);
  const post = await newPost(user, "No downvotes");
  await rejectsWith(outsider.http.likePost({ post_id: post.id, score: -1 }), "downvotes_are_disabled");
  await admin.editSite({ enable_downvotes: true, taglines: [] });
});

console.log(JSON.stringify({ passed, failed }));
