// Walk a live moot server's community post tags and a moderator's edit of a post with the real
// lemmy-js-client 1.0.0-beta.2, asserting each answer and checking it against the package's
// types (check.mjs); what v4 wrote is read back through v3 too.
//
//   node walk_v4_tags.mjs BASE_URL CONTRACT.json SUFFIX
//
// On success the last line of stdout is a JSON summary {"ok": true, "steps": N, "names": [...],
// "calls", "diffs", "unknown", "never_present"}; on failure the failed step, the error and the
// last HTTP exchanges go to stderr, exit 1.

import assert from "node:assert/strict";
import { ok, fails, startWalk } from "./walk_tools.mjs";

const { baseUrl, suffix, adminName, adminPassword, args, client, v3, tracingFetch, step, finish } =
  startWalk("walk_v4_tags.mjs");

const anon = client();
const password = "walk-tags-password-1";
const short = (prefix) => `${prefix}_${suffix}`.slice(0, 20);
let mod, member, jwtMember, community, other, news, meta, elsewhere, postId, plainId;
const tagIds = (view) => view.tags.map((t) => t.id);

await step("a moderator and a member sign up; the moderator makes two communities", async () => {
  const jwtMod = (await ok(anon.register({ username: short("tm"), password, password_verify: password }))).jwt;
  jwtMember = (await ok(anon.register({ username: short("tp"), password, password_verify: password }))).jwt;
  mod = client(jwtMod);
  member = client(jwtMember);
  community = (await ok(mod.createCommunity({ name: short("tc"), title: "Tagged" }))).community_view.community;
  other = (await ok(mod.createCommunity({ name: short("to"), title: "Other" }))).community_view.community;
});

await step("the moderator creates tags; a member may not; a name is one tag", async () => {
  news = await ok(mod.createCommunityTag({ community_id: community.id, name: "news", display_name: "News", color: "color03" }));
  assert.equal(news.name, "news");
  assert.equal(news.display_name, "News");
  assert.equal(news.color, "color03");
  assert.equal(news.community_id, community.id);
  assert.equal(news.deleted, false);
  assert.equal(news.ap_id, `${community.ap_id}/tag/news`);
  meta = await ok(mod.createCommunityTag({ community_id: community.id, name: "meta", summary: "About the community" }));
  assert.equal(meta.color, "color01", "the first colour when none is given");
  elsewhere = await ok(mod.createCommunityTag({ community_id: other.id, name: "news" }));
  await fails(mod.createCommunityTag({ community_id: community.id, name: "news" }), "already_exists");
  await fails(member.createCommunityTag({ community_id: community.id, name: "mine" }), "not_a_mod_or_admin");
  await fails(mod.createCommunityTag({ community_id: community.id, name: "x", color: "red" }), "invalid_body_field");
  await fails(mod.createCommunityTag({ community_id: community.id, name: "  " }), "invalid_name");
});

await step("the community's view lists its tags; an edit changes name and colour", async () => {
  const edited = await ok(mod.editCommunityTag({ tag_id: news.id, display_name: "Headlines", color: "color07" }));
  assert.equal(edited.display_name, "Headlines");
  assert.equal(edited.color, "color07");
  assert.ok(edited.updated_at);
  await fails(member.editCommunityTag({ tag_id: news.id, display_name: "Mine" }), "not_a_mod_or_admin");
  const seen = await ok(anon.getCommunity({ id: community.id }));
  assert.deepEqual(tagIds(seen.community_view), [news.id, meta.id]);
  assert.equal(seen.community_view.tags[0].display_name, "Headlines");
});

await step("a member's post carries tags of its community only", async () => {
  const made = await ok(member.createPost({ name: "Tagged news", community_id: community.id, tags: [news.id] }));
  postId = made.post_view.post.id;
  assert.deepEqual(tagIds(made.post_view), [news.id]);
  plainId = (await ok(member.createPost({ name: "No tags", community_id: community.id }))).post_view.post.id;
  await fails(member.createPost({ name: "Wrong tag", community_id: community.id, tags: [elsewhere.id] }), "tag_not_in_community");
  const edited = await ok(member.editPost({ post_id: postId, tags: [news.id, meta.id] }));
  assert.deepEqual(tagIds(edited.post_view), [news.id, meta.id]);
  const kept = await ok(member.editPost({ post_id: postId, name: "Tagged news, edited" }));
  assert.deepEqual(tagIds(kept.post_view), [news.id, meta.id], "an edit without tags keeps them");
  const old = await v3("GET", "/post", jwtMember, { id: postId });
  assert.equal(old.post_view.post.name, "Tagged news, edited");
});

await step("a listing filters by tag; without the filter every post is there", async () => {
  const tagged = await ok(anon.getPosts({ community_id: community.id, tag_id: news.id, sort: "new" }));
  assert.deepEqual(tagged.items.map((p) => p.post.id), [postId]);
  assert.deepEqual(tagIds(tagged.items[0]), [news.id, meta.id]);
  const all = await ok(anon.getPosts({ community_id: community.id, sort: "new" }));
  assert.deepEqual(all.items.map((p) => p.post.id), [plainId, postId]);
  assert.deepEqual(all.items[0].tags, []);
  const comment = await ok(member.createComment({ post_id: postId, content: "under a tagged post" }));
  assert.deepEqual(tagIds(comment.comment_view), [news.id, meta.id], "a comment shows its post's tags");
});

await step("a moderator edits a post's tags and NSFW flag; a member may not", async () => {
  const edited = await ok(mod.modEditPost({ post_id: postId, nsfw: true, tags: [meta.id] }));
  assert.equal(edited.post_view.post.nsfw, true);
  assert.deepEqual(tagIds(edited.post_view), [meta.id]);
  await fails(member.modEditPost({ post_id: postId, tags: [] }), "not_a_mod_or_admin");
  await fails(mod.modEditPost({ post_id: postId, tags: [elsewhere.id] }), "tag_not_in_community");
  const back = await ok(mod.modEditPost({ post_id: plainId, tags: [news.id] }));
  assert.deepEqual(tagIds(back.post_view), [news.id]);
  const seen = await ok(member.getPost({ id: postId }));
  assert.equal(seen.post_view.post.nsfw, true);
  assert.deepEqual(tagIds(seen.post_view), [meta.id]);
});

await step("a deleted tag leaves posts, listings and the community; undeleted it comes back", async () => {
  const gone = await ok(mod.deleteCommunityTag({ tag_id: meta.id, delete: true }));
  assert.equal(gone.deleted, true);
  await fails(member.deleteCommunityTag({ tag_id: news.id, delete: true }), "not_a_mod_or_admin");
  const seen = await ok(member.getPost({ id: postId }));
  assert.deepEqual(seen.post_view.tags, []);
  assert.deepEqual(tagIds(seen.community_view), [news.id]);
  const listed = await ok(anon.getPosts({ community_id: community.id, tag_id: meta.id, show_nsfw: true }));
  assert.deepEqual(listed.items, []);
  await fails(member.editPost({ post_id: postId, tags: [meta.id] }), "tag_not_in_community");
  const back = await ok(mod.deleteCommunityTag({ tag_id: meta.id, delete: false }));
  assert.equal(back.deleted, false);
  const again = await ok(member.getPost({ id: postId }));
  assert.deepEqual(tagIds(again.post_view), [meta.id]);
});

finish();
