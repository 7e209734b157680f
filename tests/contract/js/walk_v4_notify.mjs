// Walk a live moot server's notification settings through lemmy-js-client 1.0.0-beta.2:
// a member subscribes to a post (every new comment) and to a community (every new post),
// mutes a post (no replies from it), and reads what reached them in the one notification
// list; comments written through v3 reach a v4 subscriber too. Then reports about a
// community, filed by a member and resolved by an admin. Every answer is asserted and
// checked against the package's types (check.mjs).
//
//   node walk_v4_notify.mjs BASE_URL CONTRACT.json SUFFIX ADMIN_NAME ADMIN_PASSWORD
//
// On success the last line of stdout is a JSON summary (as walk_v4.mjs's); on failure the
// failed step, the error and the last HTTP exchanges go to stderr, exit 1.

import assert from "node:assert/strict";
import { ok, fails, startWalk } from "./walk_tools.mjs";

const { baseUrl, suffix, adminName, adminPassword, args, client, v3, tracingFetch, step, finish } =
  startWalk("walk_v4_notify.mjs");

// A comment written through v3 (the 0.19 client is another package): by hand.
async function v3comment(jwt, body) {
  const response = await tracingFetch(`${baseUrl}/api/v3/comment`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${jwt}` },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  assert.equal(response.status, 200, JSON.stringify(json));
  return json.comment_view.comment;
}

const anon = client();
const password = "walk4-password-1";
let a, b, c, jwtC, community, postId, bComment;

async function subscribed(who) {
  const list = await ok(who.listNotifications({ type_: "subscribed" }));
  for (const item of list.items) assert.equal(item.notification.kind, "subscribed");
  return list.items;
}

await step("three members; one moderates a community and posts in it", async () => {
  const jwts = [];
  for (const letter of ["a", "b", "c"]) {
    const username = `n${letter}_${suffix}`.slice(0, 20);
    await ok(anon.register({ username, password, password_verify: password }));
    jwts.push((await ok(anon.login({ username_or_email: username, password }))).jwt);
  }
  [a, b, c] = jwts.map((jwt) => client(jwt));
  jwtC = jwts[2];
  community = (await ok(a.createCommunity({ name: `nc_${suffix}`.slice(0, 20), title: "Bells" }))).community_view
    .community;
  postId = (await ok(a.createPost({ name: "Ring me", community_id: community.id }))).post_view.post.id;
});

await step("a post's setting is kept and shown in post_actions; bad ones refused", async () => {
  assert.deepEqual(await ok(b.editPostNotifications({ post_id: postId, mode: "all_comments" })), { success: true });
  const seen = await ok(b.getPost({ id: postId }));
  assert.equal(seen.post_view.post_actions.notifications, "all_comments");
  const others = await ok(c.getPost({ id: postId }));
  assert.equal(others.post_view.post_actions?.notifications, undefined, "a setting is its member's own");
  await fails(b.editPostNotifications({ post_id: 2 ** 31 - 1, mode: "mute" }), "not_found");
  await fails(anon.editPostNotifications({ post_id: postId, mode: "mute" }), "incorrect_login");
  const bad = await b.editPostNotifications({ post_id: postId, mode: "loud" });
  assert.equal(bad.state, "failed");
});

await step("every new comment on the post reaches its subscriber, once", async () => {
  const first = (await ok(c.createComment({ post_id: postId, content: "first" }))).comment_view.comment;
  const second = await v3comment(jwtC, { post_id: postId, parent_id: first.id, content: "second, through v3" });
  const items = await subscribed(b);
  assert.deepEqual(items.map((i) => i.data.comment.id), [second.id, first.id]);
  assert.equal(items[0].data.type_, "comment");
  assert.equal(items[0].notification.post_id, postId);
  assert.equal(items[0].notification.read, false);
  const counts = await ok(b.getUnreadCounts());
  assert.equal(counts.notification_count, 2);
  // The post's author hears of the top-level comment as a reply, not twice.
  const toA = await ok(a.listNotifications({}));
  assert.deepEqual(toA.items.map((i) => i.notification.kind), ["reply"]);
  await ok(b.markNotificationAsRead({ notification_id: items[1].notification.id, read: true }));
  assert.equal((await ok(b.getUnreadCounts())).notification_count, 1);
  // Its subscriber's own comment tells nobody it is theirs.
  await ok(b.createComment({ post_id: postId, content: "mine" }));
  assert.equal((await subscribed(b)).length, 2);
});

await step("a community's setting: each new post reaches its subscriber", async () => {
  await ok(b.editCommunityNotifications({ community_id: community.id, mode: "all_posts" }));
  const seen = await ok(b.getCommunity({ id: community.id }));
  assert.equal(seen.community_view.community_actions.notifications, "all_posts");
  await fails(b.editCommunityNotifications({ community_id: 2 ** 31 - 1, mode: "all_posts" }), "not_found");
  const made = (await ok(c.createPost({ name: "News", community_id: community.id }))).post_view.post;
  const items = await subscribed(b);
  assert.equal(items[0].data.type_, "post");
  assert.equal(items[0].data.post.id, made.id);
  assert.equal(items[0].notification.post_id, made.id);
  assert.equal(items[0].notification.comment_id, undefined);
  // 'all_posts' leaves the new post's comments out.
  await ok(a.createComment({ post_id: made.id, content: "on the news" }));
  assert.equal((await subscribed(b))[0].data.type_, "post");
  await ok(b.editCommunityNotifications({ community_id: community.id, mode: "all_posts_and_comments" }));
  await ok(a.createComment({ post_id: made.id, content: "more on the news" }));
  assert.equal((await subscribed(b))[0].data.comment.content, "more on the news");
});

await step("a muted post tells its member nothing, not even replies", async () => {
  bComment = (await ok(b.createComment({ post_id: postId, content: "answer me" }))).comment_view.comment;
  await ok(b.editPostNotifications({ post_id: postId, mode: "mute" }));
  assert.equal((await ok(b.getPost({ id: postId }))).post_view.post_actions.notifications, "mute");
  await ok(c.createComment({ post_id: postId, parent_id: bComment.id, content: "an answer" }));
  const replies = await ok(b.listNotifications({ type_: "reply" }));
  assert.deepEqual(replies.items, []);
  await ok(b.editPostNotifications({ post_id: postId, mode: "replies_and_mentions" }));
  await ok(c.createComment({ post_id: postId, parent_id: bComment.id, content: "another answer" }));
  const after = await ok(b.listNotifications({ type_: "reply" }));
  assert.deepEqual(after.items.map((i) => i.data.comment.content), ["another answer"]);
});

await step("marking all read reaches what subscriptions told", async () => {
  await ok(b.markAllNotificationsAsRead());
  assert.equal((await ok(b.getUnreadCounts())).notification_count, 0);
  const unread = await ok(b.listNotifications({ type_: "subscribed", unread_only: true }));
  assert.deepEqual(unread.items, []);
});

await step("a member reports a community; the admins alone see and resolve it", async () => {
  const made = await ok(c.createCommunityReport({ community_id: community.id, reason: "a misleading sidebar" }));
  const report = made.community_report_view.community_report;
  assert.equal(report.original_community_name, community.name);
  assert.equal(report.original_community_title, "Bells");
  assert.equal(report.resolved, false);
  assert.equal(made.community_report_view.community.id, community.id);
  await fails(c.createCommunityReport({ community_id: community.id, reason: "again" }), "couldnt_create");
  await fails(c.createCommunityReport({ community_id: 2 ** 31 - 1, reason: "nothing" }), "not_found");
  // Its moderator sees reports of their community's posts, not of the community itself.
  const mods = await ok(a.listReports({ type_: "all" }));
  assert.equal(mods.items.filter((i) => i.type_ === "community").length, 0);
  await fails(a.resolveCommunityReport({ report_id: report.id, resolved: true }), "not_an_admin");
  const jwt = (await ok(anon.login({ username_or_email: adminName, password: adminPassword }))).jwt;
  const admin = client(jwt);
  const listed = await ok(admin.listReports({ type_: "communities", unresolved_only: true }));
  assert.ok(listed.items.some((i) => i.type_ === "community" && i.community_report.id === report.id));
  const all = await ok(admin.listReports({}));
  assert.ok(all.items.some((i) => i.type_ === "community"));
  const resolved = await ok(admin.resolveCommunityReport({ report_id: report.id, resolved: true }));
  assert.equal(resolved.community_report_view.community_report.resolved, true);
  assert.ok(resolved.community_report_view.resolver);
  const open = await ok(admin.listReports({ type_: "communities", unresolved_only: true }));
  assert.ok(!open.items.some((i) => i.community_report.id === report.id));
  await fails(admin.resolveCommunityReport({ report_id: 2 ** 31 - 1, resolved: true }), "not_found");
});

await step("invitations: made, listed, revoked, and registering by invitation", async () => {
  const made = (await ok(c.createRegistrationInvitation({ max_uses: 1 }))).invite;
  assert.equal(made.uses_count, 0);
  assert.equal(made.max_uses, 1);
  const spare = (await ok(c.createRegistrationInvitation({ expires_at: new Date(Date.now() + 86400e3).toISOString() })))
    .invite;
  assert.ok(spare.expires_at);
  await fails(c.createRegistrationInvitation({ max_uses: 0 }), "invalid_body_field");
  const listed = await ok(c.listRegistrationInvitations({}));
  assert.deepEqual(listed.items.map((i) => i.token), [spare.token, made.token]);
  assert.deepEqual((await ok(b.listRegistrationInvitations({}))).items, [], "invitations are their maker's own");
  await fails(b.revokeRegistrationInvitation({ token: spare.token }), "invalid_invite_token");
  assert.deepEqual(await ok(c.revokeRegistrationInvitation({ token: spare.token })), { success: true });
  await fails(c.revokeRegistrationInvitation({ token: spare.token }), "invalid_invite_token");

  const jwt = (await ok(anon.login({ username_or_email: adminName, password: adminPassword }))).jwt;
  const admin = client(jwt);
  const site = await ok(admin.editSite({ registration_mode: "require_invitation" }));
  try {
    assert.equal(site.site_view.local_site.registration_mode, "require_invitation");
    assert.equal((await ok(anon.getSite())).site_view.local_site.max_invites_per_user_allowed > 0, true);
    const old = await (await fetch(`${baseUrl}/api/v3/site`)).json();
    assert.equal(old.site_view.local_site.registration_mode, "Closed", "0.19 has no invitation mode");
    const username = `ni_${suffix}`.slice(0, 20);
    const form = { username, password, password_verify: password };
    await fails(anon.register(form), "missing_invite_token");
    await fails(anon.register({ ...form, token: "not-a-token" }), "invalid_invite_token");
    await fails(anon.register({ ...form, token: spare.token }), "invalid_invite_token");
    const joined = await ok(anon.register({ ...form, token: made.token }));
    assert.ok(joined.jwt, "an invited member signs in at once");
    await ok(anon.login({ username_or_email: username, password }));
    const again = { username: `nj_${suffix}`.slice(0, 20), password, password_verify: password };
    await fails(anon.register({ ...again, token: made.token }), "invalid_invite_token");
    const used = await ok(c.listRegistrationInvitations({}));
    assert.equal(used.items.find((i) => i.token === made.token).uses_count, 1);
  } finally {
    await ok(admin.editSite({ registration_mode: "open" }));
  }
});

await step("an admin blocks and allows one instance at a time", async () => {
  const jwt = (await ok(anon.login({ username_or_email: adminName, password: adminPassword }))).jwt;
  const admin = client(jwt);
  const domain = `blocked-${suffix}.example`.toLowerCase();
  const until = Math.floor(Date.now() / 1000) + 86400;
  await fails(b.adminBlockInstance({ instance: domain, block: true, reason: "spam" }), "not_an_admin");
  await fails(admin.adminBlockInstance({ instance: "", block: true, reason: "nothing" }), "invalid_body_field");
  const done = await ok(admin.adminBlockInstance({ instance: domain, block: true, reason: "spam", expires_at: until }));
  assert.deepEqual(done, { success: true });
  // The same block again lands on the same entry.
  await ok(admin.adminBlockInstance({ instance: `https://${domain}/`, block: true, reason: "still spam", expires_at: until }));
  const blocked = await ok(admin.getFederatedInstances({ kind: "blocked", domain_filter: domain }));
  assert.equal(blocked.items.length, 1);
  assert.equal(blocked.items[0].instance.domain, domain);
  assert.equal(Date.parse(blocked.items[0].blocked.expires_at) / 1000, until);
  const old = await (await fetch(`${baseUrl}/api/v3/federated_instances`)).json();
  assert.ok(old.federated_instances.blocked.some((i) => i.domain === domain), "v3 reads the same list");
  await ok(admin.adminBlockInstance({ instance: domain, block: false, reason: "forgiven" }));
  assert.deepEqual((await ok(admin.getFederatedInstances({ kind: "blocked", domain_filter: domain }))).items, []);

  const friend = `friend-${suffix}.example`.toLowerCase();
  await fails(b.adminAllowInstance({ instance: friend, allow: true, reason: "kind" }), "not_an_admin");
  try {
    await ok(admin.adminAllowInstance({ instance: friend, allow: true, reason: "kind" }));
    const allowed = await ok(admin.getFederatedInstances({ kind: "allowed", domain_filter: friend }));
    assert.equal(allowed.items[0].instance.domain, friend);
    assert.ok(allowed.items[0].allowed.published_at);
  } finally {
    // An allowlist limits federation to its instances: the shared server keeps none.
    await ok(admin.adminAllowInstance({ instance: friend, allow: false, reason: "done" }));
  }
  assert.deepEqual((await ok(admin.getFederatedInstances({ kind: "allowed", domain_filter: friend }))).items, []);
});

finish();
