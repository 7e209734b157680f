// Walk a live moot server's multi-community feeds (Lemmy 1.0's `/multi_community…` routes and
// the feed's post listing) with the real lemmy-js-client 1.0.0-beta.2, asserting what each
// answer says and checking every answer against the package's types (check.mjs).
//
//   node walk_v4_feeds.mjs BASE_URL CONTRACT.json SUFFIX ADMIN_NAME ADMIN_PASSWORD
//
// On success the last line of stdout is a JSON summary {"ok": true, "steps": N, "names": [...],
// "calls", "diffs", "unknown", "never_present"}; on failure the failed step, the error and the
// last HTTP exchanges go to stderr, exit 1.

import assert from "node:assert/strict";
import { ok, fails, startWalk } from "./walk_tools.mjs";

const { baseUrl, suffix, adminName, adminPassword, args, client, v3, tracingFetch, step, finish } =
  startWalk("walk_v4_feeds.mjs");

const anon = client();
const password = "walk4-password-1";
const short = suffix.replace(/[^a-z0-9]/gi, "").toLowerCase().slice(-8);
const nameA = `fa_${short}`;
const nameB = `fb_${short}`;
const feedName = `feed_${short}`;
let a, b, owner, feed;
const communities = [];
const postIds = [];

await step("two members register and sign in; three communities, two posts in each", async () => {
  await ok(anon.register({ username: nameA, password, password_verify: password }));
  await ok(anon.register({ username: nameB, password, password_verify: password }));
  a = client((await ok(anon.login({ username_or_email: nameA, password }))).jwt);
  b = client((await ok(anon.login({ username_or_email: nameB, password }))).jwt);
  owner = (await ok(a.getMyUser())).local_user_view.person;
  for (const n of [1, 2, 3]) {
    const made = await ok(a.createCommunity({ name: `fc${n}_${short}`, title: `Feed walk ${n}` }));
    communities.push(made.community_view.community);
    for (const k of [1, 2]) {
      const post = await ok(a.createPost({ name: `post ${k} in ${n}`, community_id: made.community_view.community.id }));
      postIds.push(post.post_view.post.id);
    }
  }
});

await step("createMultiCommunity: a feed, its name unique on the site", async () => {
  const made = await ok(a.createMultiCommunity({ name: feedName, title: "My feed", summary: "three of mine" }));
  feed = made.multi_community_view.multi;
  assert.equal(feed.name, feedName);
  assert.equal(feed.title, "My feed");
  assert.equal(feed.summary, "three of mine");
  assert.equal(feed.local, true);
  assert.equal(feed.deleted, false);
  assert.equal(feed.communities, 0);
  assert.equal(feed.creator_id, owner.id);
  assert.ok(feed.ap_id.endsWith(`/m/${feedName}`), feed.ap_id);
  assert.equal(made.multi_community_view.owner.name, nameA);
  await fails(b.createMultiCommunity({ name: feedName }), "already_exists");
  await fails(a.createMultiCommunity({ name: "no spaces allowed" }), "invalid_name");
  await fails(anon.createMultiCommunity({ name: `x${feedName}` }), "incorrect_login");
});

await step("createMultiCommunityEntry: the owner adds three communities, once each", async () => {
  for (const c of communities) {
    const added = await ok(a.createMultiCommunityEntry({ id: feed.id, community_id: c.id }));
    assert.equal(added.community_view.community.id, c.id);
  }
  await ok(a.createMultiCommunityEntry({ id: feed.id, community_id: communities[0].id }));
  await fails(b.createMultiCommunityEntry({ id: feed.id, community_id: communities[0].id }), "multi_community_update_wrong_user");
  await fails(a.createMultiCommunityEntry({ id: feed.id, community_id: 2147483000 }), "not_found");
  await fails(a.createMultiCommunityEntry({ id: 2147483000, community_id: communities[0].id }), "not_found");
});

await step("getMultiCommunity by id and by name: the feed and its communities", async () => {
  const byId = await ok(anon.getMultiCommunity({ id: feed.id }));
  assert.equal(byId.multi_community_view.multi.communities, 3);
  assert.deepEqual(byId.communities.map((c) => c.community.id).sort(), communities.map((c) => c.id).sort());
  const byName = await ok(b.getMultiCommunity({ name: feedName }));
  assert.equal(byName.multi_community_view.multi.id, feed.id);
  assert.equal(byName.multi_community_view.follow_state, undefined);
  await fails(anon.getMultiCommunity({ name: `none_${short}` }), "not_found");
  await fails(anon.getMultiCommunity({}), "no_id_given");
});

await step("getPosts with multi_community_id / _name: the feed's posts, every sort, by cursor", async () => {
  const all = await ok(anon.getPosts({ multi_community_id: feed.id, sort: "new", limit: 20 }));
  assert.deepEqual(all.items.map((p) => p.post.id), [...postIds].reverse());
  const seen = [];
  let cursor;
  for (;;) {
    const page = await ok(b.getPosts({ multi_community_name: feedName, sort: "new", limit: 4, page_cursor: cursor }));
    seen.push(...page.items.map((p) => p.post.id));
    if (!page.next_page) break;
    cursor = page.next_page;
  }
  assert.deepEqual(seen, [...postIds].reverse());
  for (const sort of ["hot", "active", "old", "top", "most_comments", "new_comments", "controversial", "scaled"]) {
    const page = await ok(b.getPosts({ multi_community_id: feed.id, sort, limit: 20 }));
    assert.deepEqual(page.items.map((p) => p.post.id).sort(), [...postIds].sort(), sort);
  }
  const day = await ok(b.getPosts({ multi_community_id: feed.id, sort: "top", time_range_seconds: 86400 }));
  assert.equal(day.items.length, 6);
  await fails(anon.getPosts({ multi_community_id: feed.id, community_id: communities[0].id }), "cannot_combine_community_id_and_multi_community_id");
  await fails(anon.getPosts({ multi_community_id: 2147483000 }), "not_found");
});

await step("followMultiCommunity: follow, read in /account and the subscribed list, unfollow", async () => {
  const followed = await ok(b.followMultiCommunity({ multi_community_id: feed.id, follow: true }));
  assert.equal(followed.multi_community_view.follow_state, "accepted");
  assert.equal(followed.multi_community_view.multi.subscribers, 1);
  assert.equal(followed.multi_community_view.multi.subscribers_local, 1);
  const again = await ok(b.followMultiCommunity({ multi_community_id: feed.id, follow: true }));
  assert.equal(again.multi_community_view.multi.subscribers, 1);
  const me = await ok(b.getMyUser());
  assert.deepEqual(me.multi_community_follows.map((f) => f.multi.id), [feed.id]);
  const mine = await ok(b.listMultiCommunities({ type_: "subscribed" }));
  assert.deepEqual(mine.items.map((f) => f.multi.id), [feed.id]);
  assert.equal(mine.items[0].follow_state, "accepted");
  const left = await ok(b.followMultiCommunity({ multi_community_id: feed.id, follow: false }));
  assert.equal(left.multi_community_view.follow_state, undefined);
  assert.equal(left.multi_community_view.multi.subscribers, 0);
  assert.deepEqual((await ok(b.listMultiCommunities({ type_: "subscribed" }))).items, []);
});

await step("listMultiCommunities: sorts, search, by creator; the owner's profile lists it", async () => {
  const second = (await ok(a.createMultiCommunity({ name: `${feedName}z`, title: "Second" }))).multi_community_view.multi;
  const byCreator = await ok(anon.listMultiCommunities({ creator_id: owner.id, sort: "name_asc" }));
  assert.deepEqual(byCreator.items.map((f) => f.multi.id), [feed.id, second.id]);
  const desc = await ok(anon.listMultiCommunities({ creator_id: owner.id, sort: "name_desc" }));
  assert.deepEqual(desc.items.map((f) => f.multi.id), [second.id, feed.id]);
  const most = await ok(anon.listMultiCommunities({ creator_id: owner.id, sort: "communities" }));
  assert.equal(most.items[0].multi.id, feed.id);
  for (const sort of ["new", "old", "subscribers", "subscribers_local"]) {
    const listed = await ok(anon.listMultiCommunities({ creator_id: owner.id, sort, type_: "local" }));
    assert.equal(listed.items.length, 2, sort);
  }
  const found = await ok(anon.listMultiCommunities({ search_term: "three of", time_range_seconds: 3600 }));
  assert.deepEqual(found.items.map((f) => f.multi.id), [feed.id]);
  const paged = await ok(anon.listMultiCommunities({ creator_id: owner.id, limit: 1 }));
  assert.equal(paged.items.length, 1);
  const next = await ok(anon.listMultiCommunities({ creator_id: owner.id, limit: 1, page_cursor: paged.next_page }));
  assert.notEqual(next.items[0].multi.id, paged.items[0].multi.id);
  const profile = await ok(anon.getPersonDetails({ person_id: owner.id }));
  assert.deepEqual(profile.multi_communities_created.map((f) => f.multi.id), [feed.id, second.id]);
});

await step("deleteMultiCommunityEntry: a community leaves, and its posts leave the feed", async () => {
  const gone = await ok(a.deleteMultiCommunityEntry({ id: feed.id, community_id: communities[0].id }));
  assert.equal(gone.success, true);
  await ok(a.deleteMultiCommunityEntry({ id: feed.id, community_id: communities[0].id }));
  await fails(b.deleteMultiCommunityEntry({ id: feed.id, community_id: communities[1].id }), "multi_community_update_wrong_user");
  const got = await ok(anon.getMultiCommunity({ id: feed.id }));
  assert.equal(got.multi_community_view.multi.communities, 2);
  const listed = await ok(anon.getPosts({ multi_community_id: feed.id, sort: "new" }));
  assert.deepEqual(listed.items.map((p) => p.post.id), postIds.slice(2).reverse());
});

await step("editMultiCommunity: the owner changes the texts, deletes and restores it", async () => {
  const edited = await ok(a.editMultiCommunity({ id: feed.id, title: "Renamed", sidebar: "**side**" }));
  assert.equal(edited.multi_community_view.multi.title, "Renamed");
  assert.equal(edited.multi_community_view.multi.sidebar, "**side**");
  assert.equal(edited.multi_community_view.multi.summary, "three of mine");
  assert.ok(edited.multi_community_view.multi.updated_at);
  await fails(b.editMultiCommunity({ id: feed.id, title: "Mine now" }), "multi_community_update_wrong_user");
  const deleted = await ok(a.editMultiCommunity({ id: feed.id, deleted: true }));
  assert.equal(deleted.multi_community_view.multi.deleted, true);
  const listed = await ok(anon.listMultiCommunities({ creator_id: owner.id }));
  assert.equal(listed.items.some((f) => f.multi.id === feed.id), false);
  await fails(b.followMultiCommunity({ multi_community_id: feed.id, follow: true }), "deleted");
  await ok(a.editMultiCommunity({ id: feed.id, deleted: false }));
});

finish();
