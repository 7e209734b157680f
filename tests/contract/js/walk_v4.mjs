// Walk a live moot server's API v4 with the real lemmy-js-client 1.0.0-beta.2, asserting what
// each answer says, checking every answer against the package's types (check.mjs), and
// reading back through v3 what v4 wrote and the other way round.
//
//   node walk_v4.mjs BASE_URL CONTRACT.json SUFFIX ADMIN_NAME ADMIN_PASSWORD
//
// On success the last line of stdout is a JSON summary {"ok": true, "steps": N, "names": [...],
// "calls", "diffs", "unknown", "never_present"}; on failure the failed step, the error and the
// last HTTP exchanges go to stderr, exit 1.

import assert from "node:assert/strict";
import { ok, fails, totp, PNG, address, startWalk } from "./walk_tools.mjs";

const { baseUrl, suffix, adminName, adminPassword, client, v3, step, finish } =
  startWalk("walk_v4.mjs");

const anon = client();
const password = "walk4-password-1";
const nameA = `v4a_${suffix}`.slice(0, 20);
const nameB = `v4b_${suffix}`.slice(0, 20);
let a, b, jwtA, jwtB, community, postId, commentId;

await step("the site, in v4's words", async () => {
  const site = await ok(anon.getSite());
  assert.equal(site.site_view.local_site.registration_mode, "open");
  assert.equal(typeof site.site_view.local_site.users, "number");
  assert.ok(site.site_view.instance.domain);
  assert.ok(site.admins.length >= 1);
  assert.equal(site.admins[0].is_admin, true);
  assert.equal("my_user" in site, false, "v4 keeps the member apart, under /account");
});

await step("two members register (v4) and sign in", async () => {
  const ra = await ok(anon.register({ username: nameA, password, password_verify: password }));
  assert.ok(ra.jwt);
  await ok(anon.register({ username: nameB, password, password_verify: password }));
  jwtA = (await ok(anon.login({ username_or_email: nameA, password }))).jwt;
  jwtB = (await ok(anon.login({ username_or_email: nameB, password }))).jwt;
  a = client(jwtA);
  b = client(jwtB);
  await fails(anon.login({ username_or_email: nameA, password: "wrong-password-9" }), "incorrect_login");
});

await step("GET /account is the member's own", async () => {
  const me = await ok(a.getMyUser());
  assert.equal(me.local_user_view.person.name, nameA);
  assert.equal(me.local_user_view.local_user.admin, false);
  assert.deepEqual(me.follows, []);
  await fails(anon.getMyUser(), "incorrect_login");
});

await step("a community made on v3 is followed on v4", async () => {
  community = (await v3("POST", "/community", jwtA, { name: `v4c_${suffix}`.slice(0, 20), title: "Walk four" }))
    .community_view.community;
  const followed = await ok(b.followCommunity({ community_id: community.id, follow: true }));
  assert.equal(followed.community_view.community_actions.follow_state, "accepted");
  assert.ok(followed.community_view.community_actions.followed_at);
  const v3view = await v3("GET", "/community", jwtB, { id: community.id });
  assert.equal(v3view.community_view.subscribed, "Subscribed");
  const got = await ok(a.getCommunity({ name: community.name }));
  assert.equal(got.community_view.can_mod, true);
  assert.equal(got.community_view.community.subscribers, 2);
  assert.equal(got.moderators[0].moderator.name, nameA);
});

await step("a post made on v4 reads back on v3, and a v3 vote on v4", async () => {
  const made = await ok(a.createPost({ name: "Written through v4", community_id: community.id, body: "**bold**" }));
  postId = made.post_view.post.id;
  assert.equal(made.post_view.post.score, 1, "the author's own vote");
  assert.ok(made.post_view.post.published_at);
  const old = await v3("GET", "/post", jwtB, { id: postId });
  assert.equal(old.post_view.post.name, "Written through v4");
  assert.equal(old.post_view.counts.score, 1);
  await v3("POST", "/post/like", jwtB, { post_id: postId, score: 1 });
  const seen = await ok(b.getPost({ id: postId }));
  assert.equal(seen.post_view.post.score, 2);
  assert.equal(seen.post_view.post_actions.vote_is_upvote, true);
  assert.equal(seen.community_view.community.id, community.id);
});

await step("a v4 vote and save read back on v3", async () => {
  const down = await ok(b.likePost({ post_id: postId, is_upvote: false }));
  assert.equal(down.post_view.post.score, 0);
  assert.equal(down.post_view.post_actions.vote_is_upvote, false);
  const old = await v3("GET", "/post", jwtB, { id: postId });
  assert.equal(old.post_view.my_vote, -1);
  const unvoted = await ok(b.likePost({ post_id: postId }));
  assert.equal(unvoted.post_view.post.score, 1);
  assert.equal(unvoted.post_view.post_actions?.vote_is_upvote, undefined);
  const saved = await ok(b.savePost({ post_id: postId, save: true }));
  assert.ok(saved.post_view.post_actions.saved_at);
  const v3saved = await v3("GET", "/post/list", jwtB, { saved_only: true });
  assert.deepEqual(v3saved.posts.map((p) => p.post.id), [postId]);
});

await step("listings in v4's words: sorts, windows, cursors", async () => {
  for (const sort of ["active", "hot", "new", "old", "top", "most_comments", "new_comments", "controversial", "scaled"]) {
    const page = await ok(b.getPosts({ community_id: community.id, sort }));
    assert.deepEqual(page.items.map((p) => p.post.id), [postId], sort);
  }
  const day = await ok(b.getPosts({ sort: "top", time_range_seconds: 86400, type_: "subscribed" }));
  assert.ok(day.items.some((p) => p.post.id === postId));
  for (let i = 0; i < 3; i++) {
    await ok(a.createPost({ name: `page filler ${i}`, community_id: community.id }));
  }
  const first = await ok(anon.getPosts({ community_id: community.id, sort: "new", limit: 2 }));
  assert.equal(first.items.length, 2);
  assert.ok(first.next_page);
  const second = await ok(anon.getPosts({ community_id: community.id, sort: "new", limit: 2, page_cursor: first.next_page }));
  const ids = [...first.items, ...second.items].map((p) => p.post.id);
  assert.equal(new Set(ids).size, 4);
  assert.equal(ids.at(-1), postId, "the oldest post last");
  await fails(anon.getPosts({ page_cursor: "not-a-cursor" }), "unknown");
});

await step("comments: written on v4, a reply on v3, voted and saved on v4", async () => {
  const made = await ok(b.createComment({ post_id: postId, content: "a v4 comment" }));
  commentId = made.comment_view.comment.id;
  assert.equal(made.comment_view.comment.score, 1);
  assert.equal(made.comment_view.post.id, postId);
  const reply = (await v3("POST", "/comment", jwtA, { post_id: postId, parent_id: commentId, content: "a v3 reply" }))
    .comment_view.comment;
  const tree = await ok(anon.getComments({ post_id: postId, sort: "old" }));
  assert.deepEqual(tree.items.map((c) => c.comment.id), [commentId, reply.id]);
  assert.equal(tree.items[1].comment.path, `0.${commentId}.${reply.id}`);
  const liked = await ok(a.likeComment({ comment_id: commentId, is_upvote: true }));
  assert.equal(liked.comment_view.comment.score, 2);
  assert.equal(liked.comment_view.comment_actions.vote_is_upvote, true);
  const saved = await ok(a.saveComment({ comment_id: commentId, save: true }));
  assert.ok(saved.comment_view.comment_actions.saved_at);
  const old = await v3("GET", "/comment", jwtA, { id: commentId });
  assert.equal(old.comment_view.saved, true);
  assert.equal(old.comment_view.my_vote, 1);
  const one = await ok(anon.getComment({ id: reply.id }));
  assert.equal(one.comment_view.comment.content, "a v3 reply");
});

await step("a person's page in v4's words", async () => {
  const person = await ok(anon.getPersonDetails({ username: nameA }));
  assert.equal(person.person_view.person.name, nameA);
  assert.equal(person.person_view.person.post_count, 4);
  assert.equal(person.person_view.banned, false);
  assert.equal(person.moderates[0].community.id, community.id);
  await fails(anon.getPersonDetails({ username: `nobody_${suffix}` }), "not_found");
});

await step("communities made, edited, listed and blocked on v4", async () => {
  const made = await ok(a.createCommunity({ name: `v4d_${suffix}`.slice(0, 20), sidebar: "The **sidebar**", visibility: "local_only_public" }));
  const view = made.community_view;
  assert.equal(view.community.title, view.community.name, "a title defaults to the name");
  assert.equal(view.community.sidebar, "The **sidebar**");
  assert.equal(view.community.visibility, "local_only_public");
  const v3c = await v3("GET", "/community", jwtA, { id: view.community.id });
  assert.equal(v3c.community_view.community.description, "The **sidebar**");
  assert.equal(v3c.community_view.community.visibility, "LocalOnly");
  const edited = await ok(a.editCommunity({ community_id: view.community.id, title: "Renamed", visibility: "public" }));
  assert.equal(edited.community_view.community.title, "Renamed");
  assert.equal(edited.community_view.community.visibility, "public");
  await fails(a.editCommunity({ community_id: view.community.id, visibility: "unlisted" }), "unknown");
  const seen = new Set();
  let cursor;
  // Newest first: on a server other tests filled, the walk's two communities come early.
  for (let i = 0; i < 50; i++) {
    const page = await ok(anon.listCommunities({ sort: "new", limit: 1, page_cursor: cursor }));
    for (const c of page.items) seen.add(c.community.id);
    if (!page.next_page) break;
    cursor = page.next_page;
  }
  assert.ok(seen.has(view.community.id) && seen.has(community.id), "a cursor walk lists them all");
  const blocked = await ok(b.blockCommunity({ community_id: view.community.id, block: true }));
  assert.ok(blocked.community_view.community_actions.blocked_at);
  const me = await ok(b.getMyUser());
  assert.deepEqual(me.community_blocks.map((c) => c.id), [view.community.id]);
  await ok(b.blockCommunity({ community_id: view.community.id, block: false }));
});

await step("a person blocked on v4 is blocked on v3", async () => {
  const me = await ok(b.getMyUser());
  const aId = (await ok(anon.getPersonDetails({ username: nameA }))).person_view.person.id;
  const blocked = await ok(b.blockPerson({ person_id: aId, block: true }));
  assert.ok(blocked.person_view.person_actions.blocked_at);
  const site = await v3("GET", "/site", jwtB);
  assert.deepEqual(site.my_user.person_blocks.map((x) => x.target.id), [aId]);
  await fails(b.blockPerson({ person_id: me.local_user_view.person.id, block: true }), "cant_block_yourself");
  await ok(b.blockPerson({ person_id: aId, block: false }));
});

await step("posts edited, hidden, read, deleted and restored on v4", async () => {
  const edited = await ok(a.editPost({ post_id: postId, body: "edited *on v4*" }));
  assert.equal(edited.post_view.post.body, "edited *on v4*");
  assert.ok(edited.post_view.post.updated_at);
  await fails(b.editPost({ post_id: postId, body: "not mine" }), "no_post_edit_allowed");
  const hidden = await ok(b.hidePost({ post_id: postId, hide: true }));
  assert.ok(hidden.post_view.post_actions.hidden_at);
  const listed = await ok(b.getPosts({ community_id: community.id }));
  assert.equal(listed.items.some((p) => p.post.id === postId), false, "a hidden post is left out");
  await ok(b.hidePost({ post_id: postId, hide: false }));
  const unread = await ok(b.markPostAsRead({ post_id: postId, read: false }));
  assert.equal(unread.post_view.post_actions?.read_at, undefined);
  await ok(b.markManyPostsAsRead({ post_ids: [postId], read: true }));
  const read = await ok(b.getPosts({ community_id: community.id }));
  assert.ok(read.items.find((p) => p.post.id === postId).post_actions.read_at);
  const deleted = await ok(a.deletePost({ post_id: postId, deleted: true }));
  assert.equal(deleted.post_view.post.deleted, true);
  assert.equal((await v3("GET", "/post", jwtA, { id: postId })).post_view.post.deleted, true);
  await ok(a.deletePost({ post_id: postId, deleted: false }));
});

await step("a moderator locks, pins, removes and distinguishes on v4", async () => {
  const locked = await ok(a.lockPost({ post_id: postId, locked: true, reason: "calm down" }));
  assert.equal(locked.post_view.post.locked, true);
  await fails(b.createComment({ post_id: postId, content: "too late" }), "locked");
  await ok(a.lockPost({ post_id: postId, locked: false, reason: "" }));
  const pinned = await ok(a.featurePost({ post_id: postId, featured: true, feature_type: "community" }));
  assert.equal(pinned.post_view.post.featured_community, true);
  await fails(b.featurePost({ post_id: postId, featured: true, feature_type: "community" }), "not_a_mod_or_admin");
  await ok(a.featurePost({ post_id: postId, featured: false, feature_type: "community" }));
  const removed = await ok(a.removeComment({ comment_id: commentId, removed: true, reason: "off topic" }));
  assert.equal(removed.comment_view.comment.removed, true);
  const v3modlog = await v3("GET", "/modlog", jwtA, { type_: "ModRemoveComment" });
  assert.equal(v3modlog.removed_comments[0].mod_remove_comment.reason, "off topic");
  await ok(a.removeComment({ comment_id: commentId, removed: false, reason: "" }));
  const mine = await ok(a.createComment({ post_id: postId, content: "speaking as a mod" }));
  const distinguished = await ok(a.distinguishComment({ comment_id: mine.comment_view.comment.id, distinguished: true }));
  assert.equal(distinguished.comment_view.comment.distinguished, true);
  const post = await ok(a.removePost({ post_id: postId, removed: true, reason: "spam" }));
  assert.equal(post.post_view.post.removed, true);
  await ok(a.removePost({ post_id: postId, removed: false, reason: "" }));
});

await step("comments edited and deleted on v4", async () => {
  const edited = await ok(b.editComment({ comment_id: commentId, content: "edited comment" }));
  assert.equal(edited.comment_view.comment.content, "edited comment");
  await fails(a.editComment({ comment_id: commentId, content: "not mine" }), "no_comment_edit_allowed");
  const deleted = await ok(b.deleteComment({ comment_id: commentId, deleted: true }));
  assert.equal(deleted.comment_view.comment.deleted, true);
  assert.equal((await v3("GET", "/comment", jwtB, { id: commentId })).comment_view.comment.deleted, true);
  await ok(b.deleteComment({ comment_id: commentId, deleted: false }));
});

await step("settings saved in v4's words read back on both generations", async () => {
  await ok(b.saveUserSettings({
    default_post_sort_type: "top",
    default_post_time_range_seconds: 7 * 86400,
    default_listing_type: "subscribed",
    post_listing_mode: "small_card",
    show_score: false,
    show_downvotes: "hide",
    bio: "I walk through **v4**",
  }));
  const me = await ok(b.getMyUser());
  const user = me.local_user_view.local_user;
  assert.equal(user.default_post_sort_type, "top");
  assert.equal(user.default_listing_type, "subscribed");
  assert.equal(user.post_listing_mode, "small_card");
  assert.equal(user.show_score, false);
  assert.equal(user.show_downvotes, "hide");
  assert.equal(me.local_user_view.person.bio, "I walk through **v4**");
  const site = await v3("GET", "/site", jwtB);
  assert.equal(site.my_user.local_user_view.local_user.default_sort_type, "TopWeek");
  assert.equal(site.my_user.local_user_view.local_user.post_listing_mode, "SmallCard");
  await fails(b.saveUserSettings({ default_listing_type: "nowhere" }), "unknown");
});

await step("private messages on v4, read on v3, counted as notifications", async () => {
  const aId = (await ok(anon.getPersonDetails({ username: nameA }))).person_view.person.id;
  const before = (await ok(a.getUnreadCounts())).notification_count;
  const sent = await ok(b.createPrivateMessage({ recipient_id: aId, content: "hello through v4" }));
  const message = sent.private_message_view.private_message;
  assert.equal(sent.private_message_view.recipient.name, nameA);
  assert.equal((await ok(a.getUnreadCounts())).notification_count, before + 1);
  const edited = await ok(b.editPrivateMessage({ private_message_id: message.id, content: "edited on v4" }));
  assert.equal(edited.private_message_view.private_message.content, "edited on v4");
  assert.ok(edited.private_message_view.private_message.updated_at);
  const inbox = await v3("GET", "/private_message/list", jwtA, { unread_only: true });
  assert.ok(inbox.private_messages.some((pm) => pm.private_message.content === "edited on v4"));
  await fails(a.editPrivateMessage({ private_message_id: message.id, content: "not mine" }), "edit_private_message_not_allowed");
  const deleted = await ok(b.deletePrivateMessage({ private_message_id: message.id, deleted: true }));
  assert.equal(deleted.private_message_view.private_message.deleted, true);
  const moderator = await ok(a.getUnreadCounts());
  assert.equal(typeof moderator.report_count, "number", "a moderator is told of reports");
});

await step("a person's content and a member's own lists, by cursor", async () => {
  const all = [];
  let cursor;
  for (let i = 0; i < 20; i++) {
    const page = await ok(anon.listPersonContent({ username: nameA, limit: 2, page_cursor: cursor }));
    all.push(...page.items);
    if (!page.next_page) break;
    cursor = page.next_page;
  }
  const posts = all.filter((x) => x.type_ === "post");
  const comments = all.filter((x) => x.type_ === "comment");
  assert.equal(posts.length, 4);
  assert.ok(comments.length >= 2);
  const times = all.map((x) => (x.type_ === "post" ? x.post.published_at : x.comment.published_at));
  assert.deepEqual([...times].sort().reverse(), times, "newest first");
  const onlyPosts = await ok(anon.listPersonContent({ username: nameA, type_: "posts" }));
  assert.ok(onlyPosts.items.every((x) => x.type_ === "post"));
  const saved = await ok(b.listPersonSaved({}));
  assert.deepEqual(saved.items.map((x) => [x.type_, x.post.id]), [["post", postId]]);
  const savedComments = await ok(a.listPersonSaved({ type_: "comments" }));
  assert.deepEqual(savedComments.items.map((x) => x.comment.id), [commentId]);
  await ok(b.likePost({ post_id: postId, is_upvote: false }));
  const disliked = await ok(b.listPersonLiked({ like_type: "disliked_only" }));
  assert.deepEqual(disliked.items.map((x) => x.post.id), [postId]);
  const liked = await ok(b.listPersonLiked({ like_type: "liked_only", type_: "posts" }));
  assert.equal(liked.items.some((x) => x.post.id === postId), false);
  const read = await ok(b.listPersonRead({}));
  assert.ok(read.items.some((p) => p.post.id === postId));
  await ok(b.hidePost({ post_id: postId, hide: true }));
  const hidden = await ok(b.listPersonHidden({}));
  assert.deepEqual(hidden.items.map((p) => p.post.id), [postId]);
  await ok(b.hidePost({ post_id: postId, hide: false }));
  await fails(anon.listPersonSaved({}), "incorrect_login");
});

await step("search and resolve_object in v4's words", async () => {
  const found = await ok(anon.search({ search_term: "Written through", type_: "posts" }));
  assert.deepEqual(found.posts.map((p) => p.post.id), [postId]);
  assert.deepEqual(found.multi_communities, []);
  const people = await ok(anon.search({ search_term: nameA, type_: "users" }));
  assert.deepEqual(people.persons.map((p) => p.person.name), [nameA]);
  const all = await ok(anon.search({ search_term: "a v3 reply" }));
  assert.deepEqual(all.comments.map((c) => c.comment.content), ["a v3 reply"]);
  const communities = await ok(anon.search({ search_term: community.name, type_: "communities" }));
  assert.deepEqual(communities.communities.map((c) => c.community.id), [community.id]);
  const post = await ok(anon.getPost({ id: postId }));
  const resolved = await ok(b.resolveObject({ q: post.post_view.post.ap_id }));
  assert.equal(resolved.type_, "post");
  assert.equal(resolved.post.id, postId);
  const host = new URL((await ok(anon.getSite())).site_view.site.ap_id).hostname;
  const person = await ok(b.resolveObject({ q: `@${nameA}@${host}` }));
  assert.equal(person.type_, "person");
});

await step("notifications: replies, mentions and messages in one list", async () => {
  await ok(a.markAllNotificationsAsRead());
  assert.equal((await ok(a.getUnreadCounts())).notification_count, 0);
  const host = new URL((await ok(anon.getSite())).site_view.site.ap_id).hostname;
  await ok(b.createComment({ post_id: postId, content: "a reply for the author" }));
  await ok(b.createComment({ post_id: postId, content: `hello @${nameA}@${host}`, parent_id: commentId }));
  const aId = (await ok(anon.getPersonDetails({ username: nameA }))).person_view.person.id;
  await ok(b.createPrivateMessage({ recipient_id: aId, content: "a notified message" }));
  const unread = await ok(a.listNotifications({ unread_only: true }));
  const kinds = unread.items.map((n) => n.notification.kind);
  assert.deepEqual(kinds, ["private_message", "mention", "reply"], JSON.stringify(kinds));
  assert.equal(unread.items[0].data.type_, "private_message");
  assert.equal(unread.items[0].data.private_message.content, "a notified message");
  assert.equal(unread.items[1].data.type_, "comment");
  assert.equal((await ok(a.getUnreadCounts())).notification_count, 3);
  await ok(a.markNotificationAsRead({ notification_id: unread.items[1].notification.id, read: true }));
  assert.equal((await ok(a.getUnreadCounts())).notification_count, 2);
  const v3mentions = await v3("GET", "/user/mention", jwtA, { unread_only: true });
  assert.equal(v3mentions.mentions.length, 0, "read on v4 is read on v3");
  const onlyMessages = await ok(a.listNotifications({ type_: "private_message" }));
  assert.ok(onlyMessages.items.every((n) => n.notification.kind === "private_message"));
  await fails(b.markNotificationAsRead({ notification_id: unread.items[2].notification.id, read: true }), "couldnt_update");
  await fails(a.markNotificationAsRead({ notification_id: 4, read: true }), "not_found");
  await ok(a.markAllNotificationsAsRead());
  assert.equal((await ok(a.getUnreadCounts())).notification_count, 0);
});

await step("reports filed, listed together and resolved on v4", async () => {
  const admin = client((await ok(anon.login({ username_or_email: adminName, password: adminPassword }))).jwt);
  const filed = await ok(b.createPostReport({ post_id: postId, reason: "v4 post report" }));
  assert.equal(filed.post_report_view.post_report.reason, "v4 post report");
  assert.equal(filed.post_report_view.post_creator.name, nameA);
  assert.equal(filed.post_report_view.creator.name, nameB);
  const onComment = await ok(b.createCommentReport({ comment_id: commentId, reason: "v4 comment report" }));
  assert.equal(onComment.comment_report_view.comment.id, commentId);
  const aId = (await ok(anon.getPersonDetails({ username: nameA }))).person_view.person.id;
  const bId = (await ok(anon.getPersonDetails({ username: nameB }))).person_view.person.id;
  const pm = await ok(a.createPrivateMessage({ recipient_id: bId, content: "a message to report" }));
  const onMessage = await ok(b.createPrivateMessageReport({
    private_message_id: pm.private_message_view.private_message.id, reason: "v4 pm report",
  }));
  assert.equal(onMessage.private_message_report_view.private_message_creator.id, aId);
  const listed = await ok(a.listReports({ unresolved_only: true }));
  assert.deepEqual(listed.items.map((r) => r.type_), ["comment", "post"], "a moderator: no messages");
  const all = await ok(admin.listReports({ unresolved_only: true }));
  assert.deepEqual(all.items.slice(0, 3).map((r) => r.type_), ["private_message", "comment", "post"]);
  await fails(b.listReports({}), "not_a_mod_or_admin");
  const resolved = await ok(a.resolvePostReport({ report_id: filed.post_report_view.post_report.id, resolved: true }));
  assert.equal(resolved.post_report_view.post_report.resolved, true);
  assert.equal(resolved.post_report_view.resolver.name, nameA);
  const v3list = await v3("GET", "/post/report/list", jwtA, { unresolved_only: true });
  assert.equal(v3list.post_reports.length, 0, "resolved on v4 is resolved on v3");
  await ok(a.resolveCommentReport({ report_id: onComment.comment_report_view.comment_report.id, resolved: true }));
  await ok(admin.resolvePrivateMessageReport({
    report_id: onMessage.private_message_report_view.private_message_report.id, resolved: true,
  }));
  assert.equal((await ok(a.listReports({ unresolved_only: true }))).items.length, 0);
  assert.equal((await ok(a.getPost({ id: postId }))).post_view.post.report_count, 1);
});

await step("moderators and admins act on v4", async () => {
  const admin = client((await ok(anon.login({ username_or_email: adminName, password: adminPassword }))).jwt);
  const aId = (await ok(anon.getPersonDetails({ username: nameA }))).person_view.person.id;
  const bId = (await ok(anon.getPersonDetails({ username: nameB }))).person_view.person.id;
  const inAnHour = Math.floor(Date.now() / 1000) + 3600;
  const banned = await ok(a.banFromCommunity({ community_id: community.id, person_id: bId, ban: true, reason: "cool off", expires_at: inAnHour }));
  assert.equal(banned.person_view.person.id, bId);
  await fails(b.createPost({ name: "while banned", community_id: community.id }), "person_is_banned_from_community");
  const v3banned = await v3("GET", "/community", jwtB, { id: community.id });
  assert.equal(v3banned.community_view.banned_from_community, true);
  await ok(a.banFromCommunity({ community_id: community.id, person_id: bId, ban: false, reason: "" }));
  const mods = await ok(a.addModToCommunity({ community_id: community.id, person_id: bId, added: true }));
  assert.deepEqual(mods.moderators.map((x) => x.moderator.id), [aId, bId]);
  assert.equal((await ok(b.getCommunity({ id: community.id }))).community_view.can_mod, true);
  const moved = await ok(a.transferCommunity({ community_id: community.id, person_id: bId }));
  assert.equal(moved.moderators[0].moderator.id, bId);
  await ok(b.transferCommunity({ community_id: community.id, person_id: aId }));
  await ok(a.addModToCommunity({ community_id: community.id, person_id: bId, added: false }));
  await fails(b.addModToCommunity({ community_id: community.id, person_id: bId, added: true }), "not_a_mod_or_admin");
  const gone = await ok(a.deleteCommunity({ community_id: community.id, deleted: true }));
  assert.equal(gone.community_view.community.deleted, true);
  await ok(a.deleteCommunity({ community_id: community.id, deleted: false }));
  const removed = await ok(admin.removeCommunity({ community_id: community.id, removed: true, reason: "checking" }));
  assert.equal(removed.community_view.community.removed, true);
  await fails(a.removeCommunity({ community_id: community.id, removed: false, reason: "" }), "not_an_admin");
  await ok(admin.removeCommunity({ community_id: community.id, removed: false, reason: "" }));
  assert.equal((await ok(admin.hideCommunity({ community_id: community.id, hidden: true, reason: "quiet" }))).success, true);
  assert.equal((await v3("GET", "/community", jwtA, { id: community.id })).community_view.community.hidden, true);
  await ok(admin.hideCommunity({ community_id: community.id, hidden: false, reason: "" }));
  const siteBan = await ok(admin.banPerson({ person_id: bId, ban: true, reason: "site ban", expires_at: inAnHour }));
  assert.equal(siteBan.person_view.banned, true);
  assert.ok(siteBan.person_view.ban_expires_at);
  await fails(b.createComment({ post_id: postId, content: "banned" }), "incorrect_login");
  await fails(anon.login({ username_or_email: nameB, password }), "site_ban");
  await ok(admin.banPerson({ person_id: bId, ban: false, reason: "" }));
  jwtB = (await ok(anon.login({ username_or_email: nameB, password }))).jwt;
  b = client(jwtB);
  const admins = await ok(admin.addAdmin({ person_id: aId, added: true }));
  assert.ok(admins.admins.some((x) => x.person.id === aId));
  const fewer = await ok(admin.addAdmin({ person_id: aId, added: false }));
  assert.equal(fewer.admins.some((x) => x.person.id === aId), false);
  const doomed = await ok(a.createPost({ name: "to be purged", community_id: community.id }));
  await fails(a.purgePost({ post_id: doomed.post_view.post.id, reason: "" }), "not_an_admin");
  await ok(admin.purgePost({ post_id: doomed.post_view.post.id, reason: "gone for good" }));
  await fails(anon.getPost({ id: doomed.post_view.post.id }), "not_found");
});

await step("pictures uploaded, set, listed and deleted on v4", async () => {
  const admin = client((await ok(anon.login({ username_or_email: adminName, password: adminPassword }))).jwt);
  const picture = await ok(a.uploadImage({ image: PNG }));
  assert.ok(picture.image_url.endsWith(`/pictrs/image/${picture.filename}`));
  const served = await fetch(picture.image_url.replace(/^https?:\/\/[^/]+/, baseUrl));
  assert.equal(served.status, 200);
  const mine = await ok(a.listMedia({}));
  assert.ok(mine.items.some((x) => x.local_image.pictrs_alias === picture.filename));
  const avatar = await ok(a.uploadUserAvatar({ image: PNG }));
  assert.equal((await ok(a.getMyUser())).local_user_view.person.avatar, avatar.image_url);
  await ok(a.deleteUserAvatar());
  assert.equal((await ok(a.getMyUser())).local_user_view.person.avatar, undefined);
  const icon = await ok(a.uploadCommunityIcon({ id: community.id }, { image: PNG }));
  assert.equal((await ok(anon.getCommunity({ id: community.id }))).community_view.community.icon, icon.image_url);
  await fails(b.uploadCommunityIcon({ id: community.id }, { image: PNG }), "not_a_mod_or_admin");
  await ok(a.deleteCommunityIcon({ id: community.id }));
  await fails(b.deleteMedia({ filename: picture.filename }), "not_an_admin");
  const everyone = await ok(admin.adminListMedia({}));
  assert.ok(everyone.items.some((x) => x.local_image.pictrs_alias === picture.filename));
  await fails(a.adminListMedia({}), "not_an_admin");
  await ok(a.deleteMedia({ filename: picture.filename }));
  assert.equal((await fetch(picture.image_url.replace(/^https?:\/\/[^/]+/, baseUrl))).status, 404);
  assert.equal((await ok(anon.imageHealth())).success, true);
});

await step("the account kept on v4: logins, two-factor, password, random reads", async () => {
  assert.equal((await ok(a.validateAuth())).success, true);
  await fails(anon.validateAuth(), "not_logged_in");
  const logins = await ok(a.listLogins());
  assert.ok(logins.logins.length >= 1);
  const secret = await ok(a.generateTotpSecret());
  assert.ok(secret.totp_secret_url.startsWith("otpauth://"));
  assert.equal((await ok(a.editTotp({ totp_token: totp(secret.totp_secret_url), enabled: true }))).enabled, true);
  await fails(anon.login({ username_or_email: nameA, password }), "missing_totp_token");
  const withCode = await ok(anon.login({ username_or_email: nameA, password, totp_2fa_token: totp(secret.totp_secret_url) }));
  assert.ok(withCode.jwt);
  assert.equal((await ok(a.editTotp({ totp_token: totp(secret.totp_secret_url), enabled: false }))).enabled, false);
  const changed = await ok(a.changePassword({ old_password: password, new_password: "walk4-password-2", new_password_verify: "walk4-password-2" }));
  assert.ok(changed.jwt);
  await fails(a.validateAuth(), "not_logged_in");
  jwtA = changed.jwt;
  a = client(jwtA);
  await ok(a.changePassword({ old_password: "walk4-password-2", new_password: password, new_password_verify: password }).then((r) => {
    if (r.state === "success") { jwtA = r.data.jwt; a = client(jwtA); }
    return r;
  }));
  assert.equal((await ok(a.markDonationDialogShown())).success, true);
  assert.deepEqual(await ok(anon.getCaptcha()), {});
  await fails(anon.resetPassword({ email: "nobody@example.com" }), "incorrect_login");
  const random = await ok(anon.getRandomCommunity({}));
  assert.ok(random.community_view.community.id);
  const slim = await ok(anon.getCommentsSlim({ post_id: postId, sort: "old" }));
  assert.ok(slim.items.length >= 2);
  assert.equal("post" in slim.items[0], false);
});

await step("keyword filters saved on v4 leave posts out of listings", async () => {
  const before = await ok(b.getPosts({ community_id: community.id, sort: "new", limit: 50 }));
  assert.ok(before.items.some((p) => p.post.name.startsWith("page filler")));
  await ok(b.saveUserSettings({ blocking_keywords: ["FILLER"] }));
  assert.deepEqual((await ok(b.getMyUser())).keyword_blocks, ["FILLER"]);
  const after = await ok(b.getPosts({ community_id: community.id, sort: "new", limit: 50 }));
  assert.equal(after.items.some((p) => p.post.name.startsWith("page filler")), false);
  assert.ok(after.items.some((p) => p.post.id === postId));
  const others = await ok(a.getPosts({ community_id: community.id, sort: "new", limit: 50 }));
  assert.ok(others.items.some((p) => p.post.name.startsWith("page filler")), "only b's own");
  await fails(b.saveUserSettings({ blocking_keywords: ["ab"] }), "block_keyword_too_short");
  await ok(b.saveUserSettings({ blocking_keywords: [] }));
  assert.deepEqual((await ok(b.getMyUser())).keyword_blocks, []);
});

await step("person notes: private to their author, shown wherever the person is", async () => {
  const bId = (await ok(anon.getPersonDetails({ username: nameB }))).person_view.person.id;
  const aId = (await ok(anon.getPersonDetails({ username: nameA }))).person_view.person.id;
  assert.equal((await ok(a.notePerson({ person_id: bId, note: "  met at the v4 walk  " }))).success, true);
  const seen = await ok(a.getPersonDetails({ person_id: bId }));
  assert.equal(seen.person_view.person_actions.note, "met at the v4 walk");
  assert.ok(seen.person_view.person_actions.noted_at);
  const byB = await ok(a.getComments({ post_id: postId, sort: "old" }));
  const bsComment = byB.items.find((c) => c.creator.id === bId);
  assert.equal(bsComment.person_actions.note, "met at the v4 walk");
  assert.equal((await ok(b.getPersonDetails({ person_id: bId }))).person_view.person_actions, undefined);
  assert.equal((await ok(anon.getPersonDetails({ person_id: bId }))).person_view.person_actions, undefined);
  await ok(a.notePerson({ person_id: bId, note: "changed my mind" }));
  assert.equal((await ok(a.getPersonDetails({ person_id: bId }))).person_view.person_actions.note, "changed my mind");
  await fails(a.notePerson({ person_id: aId, note: "me" }), "cant_note_yourself");
  await fails(a.notePerson({ person_id: bId, note: "x".repeat(1001) }), "invalid_body_field");
  await fails(a.notePerson({ person_id: 2147483000, note: "nobody" }), "not_found");
  await ok(a.notePerson({ person_id: bId, note: "" }));
  assert.equal((await ok(a.getPersonDetails({ person_id: bId }))).person_view.person_actions, undefined);
});

await step("the person directory", async () => {
  const found = await ok(anon.listPersons({ search_term: `v4a_${suffix}`.slice(0, 20), type_: "local" }));
  assert.deepEqual(found.items.map((p) => p.person.name), [nameA]);
  const writers = await ok(anon.listPersons({ community_id: community.id, sort: "post_score", limit: 50 }));
  const names = writers.items.map((p) => p.person.name);
  assert.ok(names.includes(nameA) && names.includes(nameB), JSON.stringify(names));
  const newest = await ok(anon.listPersons({ sort: "new", limit: 1 }));
  const oldest = await ok(anon.listPersons({ sort: "old", limit: 1 }));
  assert.ok(newest.items[0].person.published_at >= oldest.items[0].person.published_at);
  assert.ok(newest.next_page);
  const second = await ok(anon.listPersons({ sort: "new", limit: 1, page_cursor: newest.next_page }));
  assert.notEqual(second.items[0].person.id, newest.items[0].person.id);
});

await step("settings backed up from one account and restored into another", async () => {
  await ok(b.saveUserSettings({ blocking_keywords: ["walrus"], discussion_languages: [37] }));
  await ok(b.followCommunity({ community_id: community.id, follow: true }));
  const backup = await ok(client(jwtB, address()).exportUserSettings());
  assert.equal(backup.settings.default_post_sort_type, "top");
  assert.equal(backup.settings.default_post_time_range_seconds, 7 * 86400);
  assert.deepEqual(backup.blocking_keywords, ["walrus"]);
  assert.ok(backup.followed_communities.includes(community.actor_id), JSON.stringify(backup));
  assert.equal(backup.discussion_languages.length, 1);
  const nameC = `v4c_${suffix}`.slice(0, 19) + "x";
  const jwtC = (await ok(anon.register({ username: nameC, password, password_verify: password }))).jwt;
  const c = client(jwtC, address());
  assert.equal((await ok(c.importUserSettings(backup))).success, true);
  const me = await ok(c.getMyUser());
  assert.equal(me.local_user_view.local_user.default_post_sort_type, "top");
  assert.equal(me.local_user_view.local_user.default_post_time_range_seconds, 7 * 86400);
  assert.equal(me.local_user_view.local_user.post_listing_mode, "small_card");
  assert.deepEqual(me.keyword_blocks, ["walrus"]);
  assert.deepEqual(me.follows.map((f) => f.community.id), [community.id]);
  assert.deepEqual(me.discussion_languages, [37]);
  assert.equal(me.local_user_view.person.bio, "I walk through **v4**");
  await ok(b.saveUserSettings({ blocking_keywords: [] }));
});

await step("signing out ends the token for both generations", async () => {
  await ok(b.logout());
  await fails(b.getMyUser(), "incorrect_login");
  const url = `${baseUrl}/api/v3/user/validate_auth`;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${jwtB}` } });
  assert.equal(response.status, 400);
});

finish();
