// Walk a live moot server's admin side of API v4 with the real lemmy-js-client 1.0.0-beta.2:
// the site's settings, leaving the admins, custom emoji, registration applications, the
// local users, the vote lists, federated instances and the combined modlog — as an admin and
// as members (refusals too), every answer checked against the package's types (check.mjs),
// what v4 wrote read back through v3.
//
//   node walk_v4_admin.mjs BASE_URL CONTRACT.json SUFFIX ADMIN_NAME ADMIN_PASSWORD
//
// On success the last line of stdout is a JSON summary {"ok": true, "steps": N, "names": [...],
// "calls", "diffs", "unknown", "never_present"}; on failure the failed step, the error and the
// last HTTP exchanges go to stderr, exit 1.

import assert from "node:assert/strict";
import { ok, fails, startWalk } from "./walk_tools.mjs";

const { baseUrl, suffix, adminName, adminPassword, client, v3, step, finish } =
  startWalk("walk_v4_admin.mjs");

const anon = client();
const password = "walk4-admin-pass-1";
const nameA = `v4xa_${suffix}`.slice(0, 20);
const nameB = `v4xb_${suffix}`.slice(0, 20);
const nameC = `v4xc_${suffix}`.slice(0, 20);
let a, b, admin, jwtA, jwtB, jwtAdmin, aId, bId, community, postId, commentId;

await step("two members and the admin sign in", async () => {
  for (const username of [nameA, nameB]) {
    await ok(anon.register({ username, password, password_verify: password }));
  }
  jwtA = (await ok(anon.login({ username_or_email: nameA, password }))).jwt;
  jwtB = (await ok(anon.login({ username_or_email: nameB, password }))).jwt;
  jwtAdmin = (await ok(anon.login({ username_or_email: adminName, password: adminPassword }))).jwt;
  a = client(jwtA);
  b = client(jwtB);
  admin = client(jwtAdmin);
  aId = (await ok(anon.getPersonDetails({ username: nameA }))).person_view.person.id;
  bId = (await ok(anon.getPersonDetails({ username: nameB }))).person_view.person.id;
});

await step("the admin edits the site in v4's words, read back on v3", async () => {
  const before = (await ok(anon.getSite())).site_view;
  const edited = await ok(admin.editSite({
    sidebar: `a v4 sidebar ${suffix}`,
    summary: `a v4 summary ${suffix}`,
    rate_limit_post_max_requests: 100000,
    rate_limit_post_interval_seconds: 600,
    default_post_sort_type: "top",
    default_post_time_range_seconds: 86400,
    content_warning: "walk warning",
  }));
  assert.equal(edited.site_view.site.summary, `a v4 summary ${suffix}`);
  assert.equal(edited.site_view.site.sidebar, `a v4 sidebar ${suffix}`);
  assert.equal(edited.site_view.site.content_warning, "walk warning");
  assert.equal(edited.site_view.local_site_rate_limit.post_max_requests, 100000);
  assert.equal(edited.site_view.local_site_rate_limit.post_interval_seconds, 600);
  assert.equal(edited.site_view.local_site.default_post_sort_type, "top");
  assert.equal(edited.site_view.local_site.default_post_time_range_seconds, 86400);
  const old = await v3("GET", "/site", jwtA);
  assert.equal(old.site_view.site.description, `a v4 summary ${suffix}`);
  assert.equal(old.site_view.local_site.default_sort_type, "TopDay");
  assert.equal(old.site_view.local_site_rate_limit.post_per_second, 600);
  await fails(a.editSite({ sidebar: "not mine to edit" }), "not_an_admin");
  await fails(admin.createSite({ name: "a second site" }), "already_exists");
  await fails(admin.editSite({ default_post_listing_type: "subscribed" }), "invalid_default_post_listing_type");
  const restored = await ok(admin.editSite({
    sidebar: before.site.sidebar ?? "",
    summary: before.site.summary ?? "",
    content_warning: before.site.content_warning ?? "",
    rate_limit_post_interval_seconds: before.local_site_rate_limit.post_interval_seconds,
    default_post_sort_type: before.local_site.default_post_sort_type,
  }));
  assert.equal(restored.site_view.site.summary, before.site.summary);
  assert.equal(restored.site_view.site.content_warning, before.site.content_warning);
});

await step("custom emoji: made, edited in part, listed and deleted by the admin only", async () => {
  const shortcode = `w4${suffix}`.slice(0, 20).toLowerCase();
  const emoji = { category: "walk", shortcode, image_url: "https://example.com/e.png", alt_text: "an emoji", keywords: ["one", "two"] };
  await fails(a.createCustomEmoji(emoji), "not_an_admin");
  const made = (await ok(admin.createCustomEmoji(emoji))).custom_emoji;
  assert.equal(made.custom_emoji.shortcode, shortcode);
  assert.ok(made.custom_emoji.published_at);
  assert.deepEqual(made.keywords.map((k) => k.keyword).sort(), ["one", "two"]);
  const edited = (await ok(admin.editCustomEmoji({ id: made.custom_emoji.id, alt_text: "renamed" }))).custom_emoji;
  assert.equal(edited.custom_emoji.alt_text, "renamed");
  assert.equal(edited.custom_emoji.category, "walk", "what was not sent stays");
  assert.deepEqual(edited.keywords.map((k) => k.keyword).sort(), ["one", "two"]);
  assert.ok(edited.custom_emoji.updated_at);
  await fails(admin.editCustomEmoji({ id: made.custom_emoji.id, shortcode: "another" }), "invalid_body_field");
  await fails(b.editCustomEmoji({ id: made.custom_emoji.id, alt_text: "mine" }), "not_an_admin");
  const listed = await ok(anon.listCustomEmojis({ category: "walk" }));
  assert.ok(listed.custom_emojis.some((e) => e.custom_emoji.id === made.custom_emoji.id));
  assert.equal((await ok(anon.listCustomEmojis({ category: "no such category" }))).custom_emojis.length, 0);
  const old = await v3("GET", "/site");
  assert.equal(old.custom_emojis.find((e) => e.custom_emoji.id === made.custom_emoji.id).custom_emoji.alt_text, "renamed");
  await fails(a.deleteCustomEmoji({ id: made.custom_emoji.id }), "not_an_admin");
  assert.equal((await ok(admin.deleteCustomEmoji({ id: made.custom_emoji.id }))).success, true);
  const after = await ok(anon.listCustomEmojis({}));
  assert.equal(after.custom_emojis.some((e) => e.custom_emoji.id === made.custom_emoji.id), false);
});

await step("taglines one at a time, read back on v3", async () => {
  const made = (await ok(admin.createTagline({ content: `a v4 tagline ${suffix}` }))).tagline;
  assert.ok(made.published_at);
  const second = (await ok(admin.createTagline({ content: `another ${suffix}` }))).tagline;
  const edited = (await ok(admin.editTagline({ id: made.id, content: `edited ${suffix}` }))).tagline;
  assert.equal(edited.content, `edited ${suffix}`);
  assert.ok(edited.updated_at);
  const listed = await ok(admin.listTaglines({ limit: 1 }));
  assert.deepEqual(listed.items.map((t) => t.id), [second.id], "newest first");
  const rest = await ok(admin.listTaglines({ limit: 1, page_cursor: listed.next_page }));
  assert.deepEqual(rest.items.map((t) => t.id), [made.id]);
  const old = await v3("GET", "/site");
  assert.ok(old.taglines.some((t) => t.content === `edited ${suffix}`));
  await fails(a.createTagline({ content: "mine" }), "not_an_admin");
  await fails(a.editTagline({ id: made.id, content: "mine" }), "not_an_admin");
  await fails(a.deleteTagline({ id: made.id }), "not_an_admin");
  await fails(a.listTaglines({}), "not_an_admin");
  await fails(admin.createTagline({ content: "  " }), "invalid_body_field");
  for (const t of [made, second]) assert.equal((await ok(admin.deleteTagline({ id: t.id }))).success, true);
  await fails(admin.deleteTagline({ id: made.id }), "not_found");
  await fails(admin.editTagline({ id: made.id, content: "gone" }), "not_found");
  const after = await ok(admin.listTaglines({}));
  assert.equal(after.items.some((t) => t.id === made.id || t.id === second.id), false);
});

await step("registration applications: listed, read and approved by the admin", async () => {
  const mode = (await ok(anon.getSite())).site_view.local_site.registration_mode;
  await ok(admin.editSite({ registration_mode: "require_application", application_question: "Why?" }));
  try {
    const registered = await ok(anon.register({ username: nameC, password, password_verify: password, answer: "to walk" }));
    assert.equal(registered.registration_created, true);
    assert.equal(registered.jwt, undefined);
    const cId = (await ok(anon.getPersonDetails({ username: nameC }))).person_view.person.id;
    const pending = await ok(admin.listRegistrationApplications({ unread_only: true }));
    const mine = pending.items.find((x) => x.creator.id === cId);
    assert.equal(mine.registration_application.answer, "to walk");
    assert.equal(mine.creator_local_user.accepted_application, false);
    const one = await ok(admin.getRegistrationApplication({ person_id: cId }));
    assert.equal(one.registration_application.registration_application.id, mine.registration_application.id);
    await fails(a.listRegistrationApplications({}), "not_an_admin");
    await fails(a.getRegistrationApplication({ person_id: cId }), "not_an_admin");
    await fails(a.approveRegistrationApplication({ id: mine.registration_application.id, approve: true }), "not_an_admin");
    const approved = await ok(admin.approveRegistrationApplication({ id: mine.registration_application.id, approve: true }));
    assert.equal(approved.registration_application.admin.name, adminName);
    assert.equal(approved.registration_application.creator_local_user.accepted_application, true);
    const old = await v3("GET", "/admin/registration_application", jwtAdmin, { person_id: cId });
    assert.equal(old.registration_application.registration_application.admin_id, approved.registration_application.admin.id);
    const still = await ok(admin.listRegistrationApplications({ unread_only: true }));
    assert.equal(still.items.some((x) => x.creator.id === cId), false);
    const page = await ok(admin.listRegistrationApplications({ limit: 1 }));
    assert.equal(page.items.length, 1);
    assert.ok(page.next_page);
    assert.ok(await ok(anon.login({ username_or_email: nameC, password })));
  } finally {
    await ok(admin.editSite({ registration_mode: mode }));
  }
});

await step("the local users, newest first, and the banned ones", async () => {
  const first = await ok(admin.adminListUsers({ limit: 2 }));
  assert.equal(first.items.length, 2);
  assert.ok(first.next_page);
  const second = await ok(admin.adminListUsers({ limit: 2, page_cursor: first.next_page }));
  const ids = [...first.items, ...second.items].map((x) => x.local_user.id);
  assert.deepEqual(ids, [...ids].sort((x, y) => y - x), "newest first");
  assert.ok(first.items[0].local_user.id > second.items[0].local_user.id);
  const old = await ok(admin.adminListUsers({ sort: "old", limit: 1 }));
  assert.equal(old.items[0].person.name, adminName, "the first user is the admin");
  await ok(admin.banPerson({ person_id: bId, ban: true, reason: "listed" }));
  const banned = await ok(admin.adminListUsers({ banned_only: true }));
  assert.ok(banned.items.some((x) => x.person.id === bId && x.banned));
  await ok(admin.banPerson({ person_id: bId, ban: false, reason: "" }));
  jwtB = (await ok(anon.login({ username_or_email: nameB, password }))).jwt;
  b = client(jwtB);
  const after = await ok(admin.adminListUsers({ banned_only: true }));
  assert.equal(after.items.some((x) => x.person.id === bId), false);
  await fails(a.adminListUsers({}), "not_an_admin");
});

await step("who voted: the community's moderators and the admins may see", async () => {
  community = (await v3("POST", "/community", jwtA, { name: `v4xc_${suffix}`.slice(0, 20), title: "Admin walk" }))
    .community_view.community;
  postId = (await ok(a.createPost({ name: "to be voted on", community_id: community.id }))).post_view.post.id;
  await ok(b.likePost({ post_id: postId, is_upvote: false }));
  const likes = await ok(a.listPostLikes({ post_id: postId }));
  const byB = likes.items.find((x) => x.creator.id === bId);
  assert.equal(byB.is_upvote, false);
  assert.equal(byB.creator_banned, false);
  assert.equal(likes.items[0].creator.id, bId, "downvotes first");
  assert.equal(likes.items.find((x) => x.creator.id === aId).is_upvote, true);
  const paged = await ok(admin.listPostLikes({ post_id: postId, limit: 1 }));
  assert.equal(paged.items.length, 1);
  const rest = await ok(admin.listPostLikes({ post_id: postId, limit: 1, page_cursor: paged.next_page }));
  assert.equal(rest.items[0].creator.id, aId);
  assert.ok(rest.prev_page);
  await fails(b.listPostLikes({ post_id: postId }), "not_a_mod_or_admin");
  commentId = (await ok(b.createComment({ post_id: postId, content: "vote here" }))).comment_view.comment.id;
  await ok(a.likeComment({ comment_id: commentId, is_upvote: true }));
  const onComment = await ok(a.listCommentLikes({ comment_id: commentId }));
  assert.deepEqual(onComment.items.map((x) => [x.creator.id, x.is_upvote]).sort(), [[aId, true], [bId, true]].sort());
  await fails(b.listCommentLikes({ comment_id: commentId }), "not_a_mod_or_admin");
  const old = await v3("GET", "/comment/like/list", jwtA, { comment_id: commentId });
  assert.equal(old.comment_likes.length, onComment.items.length);
});

await step("the modlog: every kind in one list, newest first, filtered and paged", async () => {
  await ok(a.removePost({ post_id: postId, removed: true, reason: "walk removal" }));
  await ok(a.removePost({ post_id: postId, removed: false, reason: "" }));
  await ok(a.lockPost({ post_id: postId, locked: true }));
  await ok(a.featurePost({ post_id: postId, featured: true, feature_type: "community" }));
  await ok(a.removeComment({ comment_id: commentId, removed: true, reason: "walk comment" }));
  const inAnHour = Math.floor(Date.now() / 1000) + 3600;
  await ok(a.banFromCommunity({ community_id: community.id, person_id: bId, ban: true, reason: "cool off", expires_at: inAnHour }));
  const log = await ok(anon.getModlog({ community_id: community.id }));
  const kinds = log.items.map((x) => [x.modlog.kind, x.modlog.is_revert]);
  assert.deepEqual(kinds.slice(0, 6), [
    ["mod_ban_from_community", false],
    ["mod_remove_comment", false],
    ["mod_feature_post_community", false],
    ["mod_lock_post", false],
    ["mod_remove_post", true],
    ["mod_remove_post", false],
  ]);
  const ban = log.items[0];
  assert.equal(ban.target_person.id, bId);
  assert.equal(ban.target_community.id, community.id);
  assert.equal(ban.moderator, undefined, "the site hides moderators' names from readers");
  const named = await ok(admin.getModlog({ community_id: community.id, limit: 1 }));
  assert.equal(named.items[0].moderator.id, aId, "but not from admins");
  assert.equal(ban.modlog.reason, "cool off");
  assert.ok(ban.modlog.expires_at);
  assert.equal(log.items[1].target_comment.id, commentId);
  assert.equal(log.items[1].target_post.id, postId);
  assert.equal(new Set(log.items.map((x) => x.modlog.id)).size, log.items.length, "ids unique");
  const locks = await ok(anon.getModlog({ community_id: community.id, type_: "mod_lock_post" }));
  assert.deepEqual(locks.items.map((x) => x.modlog.kind), ["mod_lock_post"]);
  assert.equal(locks.items[0].modlog.id, log.items[3].modlog.id, "an entry keeps its id");
  const none = await ok(anon.getModlog({ community_id: community.id, type_: "admin_feature_post_site" }));
  assert.deepEqual(none.items, []);
  const walked = [];
  let page = await ok(anon.getModlog({ community_id: community.id, limit: 2 }));
  walked.push(...page.items);
  while (page.next_page) {
    page = await ok(anon.getModlog({ community_id: community.id, limit: 2, page_cursor: page.next_page }));
    walked.push(...page.items);
  }
  assert.deepEqual(walked.map((x) => x.modlog.id), log.items.map((x) => x.modlog.id));
  const second = await ok(anon.getModlog({ community_id: community.id, limit: 2, page_cursor: (await ok(anon.getModlog({ community_id: community.id, limit: 2 }))).next_page }));
  const back = await ok(anon.getModlog({ community_id: community.id, limit: 2, page_cursor: second.prev_page }));
  assert.deepEqual(back.items.map((x) => x.modlog.id), log.items.slice(0, 2).map((x) => x.modlog.id));
  const byMod = await ok(admin.getModlog({ mod_person_id: aId, other_person_id: bId }));
  assert.ok(byMod.items.every((x) => x.moderator.id === aId && x.target_person.id === bId));
  await fails(anon.getModlog({ page_cursor: "not-a-cursor" }), "unknown");
  const old = await v3("GET", "/modlog", undefined, { community_id: community.id });
  assert.equal(old.removed_posts.length + old.locked_posts.length + old.featured_posts.length + old.removed_comments.length + old.banned_from_community.length, 6);
  await ok(a.banFromCommunity({ community_id: community.id, person_id: bId, ban: false, reason: "" }));
  const site = await ok(anon.getModlog({ type_: "admin_ban", limit: 50 }));
  assert.ok(site.items.some((x) => x.target_person?.id === bId && x.modlog.is_revert), "the unban of an earlier step");
});

await step("federated instances, by kind", async () => {
  for (const kind of ["all", "linked", "allowed", "blocked"]) {
    const page = await ok(admin.getFederatedInstances({ kind }));
    assert.ok(Array.isArray(page.items));
  }
  const old = await v3("GET", "/federated_instances");
  const all = await ok(anon.getFederatedInstances({ kind: "all", limit: 50 }));
  assert.equal(all.items.length, Math.min(50, old.federated_instances.linked.length));
});

await step("an admin leaves the admins; the last cannot", async () => {
  await ok(admin.addAdmin({ person_id: aId, added: true }));
  const site = await ok(a.leaveAdmin());
  assert.equal(site.admins.some((x) => x.person.id === aId), false);
  assert.ok(site.site_view.site.name);
  assert.equal((await ok(a.getMyUser())).local_user_view.local_user.admin, false);
  await fails(a.leaveAdmin(), "not_an_admin");
  await fails(a.editSite({ sidebar: "no longer" }), "not_an_admin");
  const modlog = await ok(anon.getModlog({ type_: "admin_add", other_person_id: aId }));
  assert.deepEqual(modlog.items.map((x) => x.modlog.is_revert), [true, false]);
});

finish();
