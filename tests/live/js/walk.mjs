// Walk a live moot server with the real lemmy-js-client 0.19.9, asserting every response.
//
//   node walk.mjs http://127.0.0.1:PORT SUFFIX
//
// SUFFIX makes the user and community names unique on a shared server. On success the last
// line of stdout is a JSON summary {"steps": N, "ok": true, ...}; on failure the failed step,
// the error and the last HTTP exchanges go to stderr and the exit status is 1.

import assert from "node:assert/strict";
import { LemmyHttp } from "lemmy-js-client";

const [baseUrl, suffix] = process.argv.slice(2);
if (!baseUrl || !suffix) {
  console.error("usage: node walk.mjs BASE_URL UNIQUE_SUFFIX");
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Plumbing: a fetch that remembers the last exchanges (for failure reports), and named steps.

const exchanges = [];
async function tracingFetch(input, init = {}) {
  const response = await fetch(input, init);
  const text = await response.clone().text();
  exchanges.push({
    request: `${init.method ?? "GET"} ${input}`,
    auth: Boolean(init.headers?.Authorization),
    body: init.body,
    status: response.status,
    response: text.length > 2000 ? `${text.slice(0, 2000)}...` : text,
  });
  if (exchanges.length > 6) exchanges.shift();
  return response;
}

function client(jwt) {
  const headers = jwt ? { Authorization: `Bearer ${jwt}` } : {};
  return new LemmyHttp(baseUrl, { headers, fetchFunction: tracingFetch });
}

const done = [];
async function step(name, fn) {
  try {
    await fn();
  } catch (err) {
    console.error(`step ${done.length + 1} "${name}" failed:\n${err?.stack ?? err}`);
    console.error("last HTTP exchanges (oldest first):");
    for (const e of exchanges) console.error(JSON.stringify(e, null, 1));
    process.exit(1);
  }
  done.push(name);
}

/** lemmy-js-client rejects with `new Error(json.error)`: the message is Lemmy's error code. */
async function rejectsWith(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof Error, `expected an Error, got ${err}`);
    assert.equal(err.message, code);
    return true;
  });
}

/** Lemmy 0.19 sends my_vote 0 on single reads by a logged-in user, omits it in lists. */
function assertNoVote(view, what) {
  assert.ok(
    view.my_vote === undefined || view.my_vote === 0,
    `${what}: expected no vote, got my_vote=${view.my_vote}`,
  );
}

const isTime = (s) => typeof s === "string" && !Number.isNaN(Date.parse(s));

function assertPostView(pv) {
  for (const key of ["post", "creator", "community", "counts"]) {
    assert.equal(typeof pv[key], "object");
  }
  for (const key of [
    "creator_banned_from_community",
    "banned_from_community",
    "creator_is_moderator",
    "creator_is_admin",
    "saved",
    "read",
    "hidden",
    "creator_blocked",
  ]) {
    assert.equal(typeof pv[key], "boolean", `post_view.${key}`);
  }
  assert.ok(["Subscribed", "NotSubscribed", "Pending"].includes(pv.subscribed));
  assert.equal(typeof pv.unread_comments, "number");
  assert.equal(pv.counts.post_id, pv.post.id);
  assert.ok(isTime(pv.post.published), `post.published ${pv.post.published}`);
  assert.ok(isTime(pv.counts.newest_comment_time));
  assert.equal(typeof pv.post.ap_id, "string");
  assert.equal(pv.post.local, true);
  for (const key of Object.keys(pv.post)) {
    assert.notEqual(pv.post[key], null, `post.${key} is null (Lemmy omits empty options)`);
  }
}

function assertCommentView(cv) {
  for (const key of ["comment", "creator", "post", "community", "counts"]) {
    assert.equal(typeof cv[key], "object");
  }
  assert.equal(cv.counts.comment_id, cv.comment.id);
  assert.equal(typeof cv.counts.child_count, "number");
  assert.equal(typeof cv.saved, "boolean");
  assert.equal(typeof cv.creator_blocked, "boolean");
  assert.ok(["Subscribed", "NotSubscribed", "Pending"].includes(cv.subscribed));
  assert.match(cv.comment.path, /^0(\.\d+)+$/);
  assert.ok(isTime(cv.comment.published));
  for (const key of Object.keys(cv.comment)) {
    assert.notEqual(cv.comment[key], null, `comment.${key} is null (Lemmy omits empty options)`);
  }
}

const ids = (posts) => posts.map((pv) => pv.post.id);

// ---------------------------------------------------------------------------------------------

const anon = client();
const password = "js-client-password-1";
const nameA = `jsa_${suffix}`.slice(0, 20);
const nameB = `jsb_${suffix}`.slice(0, 20);
const communityName = `jsc_${suffix}`.slice(0, 20);
let a, b, jwtB, personA, community, linkPost, textPost, c1, c2, c3;

await step("getSite answers as Lemmy 0.19", async () => {
  const site = await anon.getSite();
  assert.match(site.version, /^0\.19/);
  assert.equal(typeof site.site_view.site.name, "string");
  assert.equal(site.site_view.local_site.registration_mode, "Open");
  assert.ok(Array.isArray(site.admins) && site.admins.length >= 1);
  assert.ok(Array.isArray(site.all_languages));
  assert.equal(site.my_user, undefined);
});

await step("two users register and get tokens", async () => {
  const ra = await anon.register({ username: nameA, password, password_verify: password });
  const rb = await anon.register({ username: nameB, password, password_verify: password });
  for (const r of [ra, rb]) {
    assert.equal(typeof r.jwt, "string");
    assert.equal(r.registration_created, false);
    assert.equal(r.verify_email_sent, false);
  }
  a = client(ra.jwt);
  jwtB = rb.jwt;
  b = client();
  b.setHeaders({ Authorization: `Bearer ${jwtB}` });
  const siteA = await a.getSite();
  personA = siteA.my_user.local_user_view.person;
  assert.equal(personA.name, nameA);
  assert.equal((await b.getSite()).my_user.local_user_view.person.name, nameB);
  assert.deepEqual(await b.validateAuth(), { success: true });
});

await step("A creates a community, B follows it", async () => {
  const created = await a.createCommunity({
    name: communityName,
    title: "JS client walk",
    description: "Made by **lemmy-js-client**",
  });
  community = created.community_view.community;
  assert.equal(community.name, communityName);
  assert.equal(created.community_view.subscribed, "Subscribed");
  assert.equal(created.community_view.counts.subscribers, 1);
  assert.ok(Array.isArray(created.discussion_languages));

  const got = await b.getCommunity({ name: communityName });
  assert.equal(got.community_view.community.id, community.id);
  assert.equal(got.community_view.subscribed, "NotSubscribed");
  assert.deepEqual(
    got.moderators.map((m) => m.moderator.name),
    [nameA],
  );

  const followed = await b.followCommunity({ community_id: community.id, follow: true });
  assert.equal(followed.community_view.subscribed, "Subscribed");
  assert.equal(followed.community_view.counts.subscribers, 2);
  const follows = (await b.getSite()).my_user.follows.map((f) => f.community.id);
  assert.ok(follows.includes(community.id));
});

await step("A creates a link post and a text post", async () => {
  const link = await a.createPost({
    name: "A link post",
    community_id: community.id,
    url: "https://example.com/a",
  });
  linkPost = link.post_view.post;
  assertPostView(link.post_view);
  assert.equal(linkPost.url, "https://example.com/a");
  assert.equal(link.post_view.counts.score, 1);
  assert.equal(link.post_view.counts.upvotes, 1);
  assert.equal(link.post_view.my_vote, 1);
  assert.equal(link.post_view.creator.id, personA.id);

  const text = await a.createPost({
    name: "A text post",
    community_id: community.id,
    body: "Some *Markdown* with a [link](https://example.com/b).",
  });
  textPost = text.post_view.post;
  assertPostView(text.post_view);
  assert.equal(textPost.body, "Some *Markdown* with a [link](https://example.com/b).");
  assert.equal(textPost.url, undefined);
  assert.equal(text.post_view.counts.score, 1);
  assert.equal(text.post_view.my_vote, 1);
  assert.equal(text.post_view.counts.comments, 0);
  assert.ok(textPost.id > linkPost.id);
});

await step("a three-level comment thread", async () => {
  const r1 = await b.createComment({ post_id: textPost.id, content: "First, from B" });
  c1 = r1.comment_view.comment;
  assertCommentView(r1.comment_view);
  assert.equal(c1.path, `0.${c1.id}`);
  assert.equal(r1.comment_view.counts.score, 1);
  assert.equal(r1.comment_view.my_vote, 1);

  const r2 = await a.createComment({
    post_id: textPost.id,
    parent_id: c1.id,
    content: "Reply by A",
  });
  c2 = r2.comment_view.comment;
  assert.equal(c2.path, `0.${c1.id}.${c2.id}`);

  const r3 = await b.createComment({ post_id: textPost.id, parent_id: c2.id, content: "B again" });
  c3 = r3.comment_view.comment;
  assert.equal(c3.path, `0.${c1.id}.${c2.id}.${c3.id}`);

  const tree = await b.getComments({ post_id: textPost.id, max_depth: 2, type_: "All" });
  tree.comments.forEach(assertCommentView);
  assert.deepEqual(tree.comments.map((cv) => cv.comment.id).sort((x, y) => x - y), [c1.id, c2.id]);

  const all = await b.getComments({ post_id: textPost.id, max_depth: 8, type_: "All" });
  assert.deepEqual(
    all.comments.map((cv) => cv.comment.id).sort((x, y) => x - y),
    [c1.id, c2.id, c3.id],
  );

  const sub = await b.getComments({ parent_id: c2.id });
  assert.deepEqual(sub.comments.map((cv) => cv.comment.id).sort((x, y) => x - y), [c2.id, c3.id]);
  const subTree = await b.getComments({ parent_id: c1.id, max_depth: 1, type_: "All" });
  assert.deepEqual(
    subTree.comments.map((cv) => cv.comment.id).sort((x, y) => x - y),
    [c1.id, c2.id],
  );

  const post = await b.getPost({ id: textPost.id });
  assert.equal(post.post_view.counts.comments, 3);
  assert.equal(post.community_view.community.id, community.id);
  assert.ok(Array.isArray(post.moderators) && Array.isArray(post.cross_posts));

  const byId = new Map(all.comments.map((cv) => [cv.comment.id, cv]));
  assert.equal(byId.get(c1.id).creator_is_moderator, false);
  assert.equal(byId.get(c2.id).creator_is_moderator, true);
  assert.equal(byId.get(c2.id).creator.name, nameA);
  assert.equal(byId.get(c1.id).subscribed, "Subscribed");

  const counts = (await b.getCommunity({ id: community.id })).community_view.counts;
  assert.equal(counts.posts, 2);
  assert.equal(counts.comments, 3);

  const first = await a.getComment({ id: c1.id });
  assert.equal(first.comment_view.counts.child_count, 2);
  assert.ok(Array.isArray(first.recipient_ids));
  const second = await a.getComment({ id: c2.id });
  assert.equal(second.comment_view.counts.child_count, 1);
});

await step("B votes on A's post: up, down, none", async () => {
  let r = await b.likePost({ post_id: textPost.id, score: 1 });
  assert.equal(r.post_view.counts.score, 2);
  assert.equal(r.post_view.counts.upvotes, 2);
  assert.equal(r.post_view.counts.downvotes, 0);
  assert.equal(r.post_view.my_vote, 1);

  r = await b.likePost({ post_id: textPost.id, score: -1 });
  assert.equal(r.post_view.counts.score, 0);
  assert.equal(r.post_view.counts.upvotes, 1);
  assert.equal(r.post_view.counts.downvotes, 1);
  assert.equal(r.post_view.my_vote, -1);

  const disliked = await b.getPosts({ community_id: community.id, disliked_only: true });
  assert.deepEqual(ids(disliked.posts), [textPost.id]);
  assert.equal(disliked.posts[0].my_vote, -1);

  r = await b.likePost({ post_id: textPost.id, score: 0 });
  assert.equal(r.post_view.counts.score, 1);
  assert.equal(r.post_view.counts.upvotes, 1);
  assert.equal(r.post_view.counts.downvotes, 0);
  assertNoVote(r.post_view, "likePost score 0");

  const seenByA = await a.getPost({ id: textPost.id });
  assert.equal(seenByA.post_view.counts.score, 1);
  assert.equal(seenByA.post_view.my_vote, 1);
});

await step("B votes on A's comment: up, down, none", async () => {
  let r = await b.likeComment({ comment_id: c2.id, score: 1 });
  assert.equal(r.comment_view.counts.score, 2);
  assert.equal(r.comment_view.counts.upvotes, 2);
  assert.equal(r.comment_view.my_vote, 1);

  r = await b.likeComment({ comment_id: c2.id, score: -1 });
  assert.equal(r.comment_view.counts.score, 0);
  assert.equal(r.comment_view.counts.upvotes, 1);
  assert.equal(r.comment_view.counts.downvotes, 1);
  assert.equal(r.comment_view.my_vote, -1);

  r = await b.likeComment({ comment_id: c2.id, score: 0 });
  assert.equal(r.comment_view.counts.score, 1);
  assert.equal(r.comment_view.counts.upvotes, 1);
  assert.equal(r.comment_view.counts.downvotes, 0);
  assertNoVote(r.comment_view, "likeComment score 0");

  const listed = await a.getComments({ post_id: textPost.id, type_: "All", sort: "Old" });
  const c2View = listed.comments.find((cv) => cv.comment.id === c2.id);
  assert.equal(c2View.counts.score, 1);
  assert.equal(c2View.my_vote, 1);
});

await step("B hides, reads and saves posts", async () => {
  const inCommunity = { type_: "All", community_id: community.id, sort: "New" };
  let listed = await b.getPosts(inCommunity);
  const before = listed.posts.find((pv) => pv.post.id === linkPost.id);
  assert.equal(before.read, false);
  assert.equal(before.hidden, false);
  assert.equal(before.saved, false);
  assertNoVote(before, "unvoted post in a list");

  assert.deepEqual(await b.hidePost({ post_ids: [linkPost.id], hide: true }), { success: true });
  listed = await b.getPosts(inCommunity);
  assert.deepEqual(ids(listed.posts), [textPost.id], "hidden post still listed in community");
  listed = await b.getPosts({ type_: "All", sort: "New", limit: 50 });
  assert.ok(!ids(listed.posts).includes(linkPost.id), "hidden post still on the front page");
  assert.ok(ids(listed.posts).includes(textPost.id));
  listed = await b.getPosts({ ...inCommunity, show_hidden: true });
  assert.deepEqual(ids(listed.posts), [textPost.id, linkPost.id]);
  assert.equal(listed.posts[1].hidden, true);
  assert.equal(listed.posts[1].read, false);
  // Hiding is per user: A still sees the post.
  assert.ok(ids((await a.getPosts(inCommunity)).posts).includes(linkPost.id));

  assert.deepEqual(await b.markPostAsRead({ post_ids: [linkPost.id], read: true }), {
    success: true,
  });
  listed = await b.getPosts({ ...inCommunity, show_hidden: true });
  assert.equal(listed.posts.find((pv) => pv.post.id === linkPost.id).read, true);
  const got = await b.getPost({ id: linkPost.id });
  assert.equal(got.post_view.read, true);
  assert.equal(got.post_view.hidden, true);

  assert.deepEqual(await b.hidePost({ post_ids: [linkPost.id], hide: false }), { success: true });
  listed = await b.getPosts(inCommunity);
  assert.deepEqual(ids(listed.posts), [textPost.id, linkPost.id], "unhidden post not listed");
  assert.equal(listed.posts[1].hidden, false);

  const saved = await b.savePost({ post_id: linkPost.id, save: true });
  assert.equal(saved.post_view.saved, true);
  const savedList = await b.getPosts({ saved_only: true });
  assert.deepEqual(ids(savedList.posts), [linkPost.id]);
  assert.equal(savedList.posts[0].saved, true);
  const unsaved = await b.savePost({ post_id: linkPost.id, save: false });
  assert.equal(unsaved.post_view.saved, false);
  assert.deepEqual(ids((await b.getPosts({ saved_only: true })).posts), []);
});

const SORTS = [
  "Active",
  "Hot",
  "New",
  "Old",
  "TopDay",
  "TopWeek",
  "TopMonth",
  "TopYear",
  "TopAll",
  "MostComments",
  "NewComments",
  "TopHour",
  "TopSixHour",
  "TopTwelveHour",
  "TopThreeMonths",
  "TopSixMonths",
  "TopNineMonths",
  "Controversial",
  "Scaled",
];
let listings = 0;

await step("getPosts with every sort and listing type", async () => {
  for (const who of [a, b]) {
    for (const type_ of ["All", "Local", "Subscribed"]) {
      for (const sort of SORTS) {
        const r = await who.getPosts({ type_, sort, community_id: community.id, limit: 20 });
        listings += 1;
        const label = `${type_}/${sort}`;
        r.posts.forEach(assertPostView);
        assert.deepEqual(
          ids(r.posts).sort((x, y) => x - y),
          [linkPost.id, textPost.id],
          label,
        );
        if (sort === "New") assert.deepEqual(ids(r.posts), [textPost.id, linkPost.id], label);
        if (sort === "Old") assert.deepEqual(ids(r.posts), [linkPost.id, textPost.id], label);
        if (sort === "MostComments") assert.equal(r.posts[0].post.id, textPost.id, label);
        assert.equal(typeof r.next_page, "string", `${label}: next_page`);
        for (const pv of r.posts) {
          assert.equal(pv.subscribed, "Subscribed", label);
          assert.equal(pv.creator_is_moderator, true, label);
          assert.equal(pv.creator_is_admin, false, label);
          assert.equal(pv.community.id, community.id, label);
        }
      }
    }
  }
  // Without community_id the listing type filters: both users follow the community.
  for (const type_ of ["All", "Local", "Subscribed"]) {
    const r = await b.getPosts({ type_, sort: "New", limit: 50 });
    listings += 1;
    assert.ok(ids(r.posts).includes(textPost.id), `${type_} front page`);
  }
});

await step("cursor pagination follows next_page", async () => {
  const first = await a.getPosts({ community_id: community.id, sort: "New", limit: 1 });
  assert.deepEqual(ids(first.posts), [textPost.id]);
  assert.equal(typeof first.next_page, "string");
  const second = await a.getPosts({
    community_id: community.id,
    sort: "New",
    limit: 1,
    page_cursor: first.next_page,
  });
  assert.deepEqual(ids(second.posts), [linkPost.id]);
  assert.notEqual(second.posts[0].post.id, first.posts[0].post.id);
  assert.equal(typeof second.next_page, "string");
  const third = await a.getPosts({
    community_id: community.id,
    sort: "New",
    limit: 1,
    page_cursor: second.next_page,
  });
  assert.deepEqual(third.posts, []);
  assert.equal(third.next_page, undefined);

  // Every sort pages through the community one post at a time, each post exactly once.
  for (const sort of SORTS) {
    const seen = [];
    let cursor;
    for (let page = 0; page < 4; page += 1) {
      const form = { community_id: community.id, sort, limit: 1, page_cursor: cursor };
      const r = await b.getPosts(form);
      listings += 1;
      if (r.posts.length === 0) break;
      seen.push(...ids(r.posts));
      cursor = r.next_page;
      assert.equal(typeof cursor, "string", `${sort}: next_page`);
    }
    assert.deepEqual(
      [...seen].sort((x, y) => x - y),
      [linkPost.id, textPost.id],
      `${sort} cursor pages: ${seen}`,
    );
  }

  const paged = await a.getPosts({ community_id: community.id, sort: "Old", limit: 1, page: 2 });
  assert.deepEqual(ids(paged.posts), [textPost.id]);
});

await step("edits and deletions", async () => {
  const edited = await a.editPost({
    post_id: textPost.id,
    name: "A text post, edited",
    body: "Edited *body*",
  });
  assert.equal(edited.post_view.post.name, "A text post, edited");
  assert.equal(edited.post_view.post.body, "Edited *body*");
  assert.ok(isTime(edited.post_view.post.updated), "post.updated after edit");
  assert.equal(edited.post_view.counts.comments, 3);

  const editedComment = await a.editComment({ comment_id: c2.id, content: "Reply by A, edited" });
  assert.equal(editedComment.comment_view.comment.content, "Reply by A, edited");
  assert.ok(isTime(editedComment.comment_view.comment.updated), "comment.updated after edit");
  assert.equal(editedComment.comment_view.comment.path, c2.path);

  const deleted = await b.deleteComment({ comment_id: c3.id, deleted: true });
  assert.equal(deleted.comment_view.comment.deleted, true);
  const seenByA = await a.getComments({ post_id: textPost.id, max_depth: 8, type_: "All" });
  const c3View = seenByA.comments.find((cv) => cv.comment.id === c3.id);
  assert.ok(c3View, "deleted comment is kept in the tree");
  assert.equal(c3View.comment.deleted, true);
  assert.equal(c3View.comment.content, "");
  assert.equal(
    seenByA.comments.find((cv) => cv.comment.id === c2.id).comment.content,
    "Reply by A, edited",
  );
  assert.equal((await a.getPost({ id: textPost.id })).post_view.counts.comments, 2);
  // child_count counts the live descendants only.
  assert.equal((await a.getComment({ id: c1.id })).comment_view.counts.child_count, 1);
  assert.equal((await a.getComment({ id: c2.id })).comment_view.counts.child_count, 0);

  const gone = await a.deletePost({ post_id: linkPost.id, deleted: true });
  assert.equal(gone.post_view.post.deleted, true);
  const listed = await b.getPosts({ community_id: community.id, sort: "New" });
  assert.deepEqual(ids(listed.posts), [textPost.id]);
  const counts = (await b.getCommunity({ id: community.id })).community_view.counts;
  assert.equal(counts.posts, 1);
  assert.equal(counts.comments, 2);
});

await step("A's profile", async () => {
  const details = await b.getPersonDetails({ username: nameA });
  assert.equal(details.person_view.person.id, personA.id);
  assert.equal(details.person_view.is_admin, false);
  assert.equal(details.person_view.counts.post_count, 1);
  assert.equal(details.person_view.counts.comment_count, 1);
  assert.deepEqual(ids(details.posts), [textPost.id]);
  assert.deepEqual(
    details.comments.map((cv) => cv.comment.id),
    [c2.id],
  );
  assert.deepEqual(
    details.moderates.map((m) => m.community.id),
    [community.id],
  );
  const byId = await anon.getPersonDetails({ person_id: personA.id });
  assert.equal(byId.person_view.person.name, nameA);
  assert.deepEqual(ids(byId.posts), [textPost.id]);
  // B's deleted reply no longer counts.
  const detailsB = await a.getPersonDetails({ username: nameB });
  assert.equal(detailsB.person_view.counts.comment_count, 1);
  assert.equal(detailsB.person_view.counts.post_count, 0);
});

await step("B saves user settings", async () => {
  const r = await b.saveUserSettings({ display_name: "Bee Walker", bio: "I walk *APIs*." });
  assert.deepEqual(r, { success: true });
  const me = (await b.getSite()).my_user.local_user_view.person;
  assert.equal(me.display_name, "Bee Walker");
  assert.equal(me.bio, "I walk *APIs*.");
});

await step("B logs out; the old token is refused", async () => {
  assert.deepEqual(await b.logout(), { success: true });
  const stale = client(jwtB);
  await rejectsWith(
    stale.createPost({ name: "too late", community_id: community.id }),
    "incorrect_login",
  );
  await rejectsWith(stale.savePost({ post_id: textPost.id, save: true }), "incorrect_login");
  await rejectsWith(anon.getPost({ id: 999999999 }), "couldnt_find_post");
  // A's session is untouched.
  assert.deepEqual(await a.validateAuth(), { success: true });
});

// Last, because it documents an ordering detail: Lemmy's getPost builds the view *before*
// marking the post read and storing read_comments, so the first open still shows the post
// unread with all its comments unread (lemmy-ui highlights those as new); later reads don't.
await step("opening a post reports its state before opening", async () => {
  const nameC = `jsd_${suffix}`.slice(0, 20);
  const rc = await anon.register({ username: nameC, password, password_verify: password });
  const c = client(rc.jwt);
  const created = await a.createPost({ name: "Read me", community_id: community.id });
  const id = created.post_view.post.id;
  await a.createComment({ post_id: id, content: "one" });
  await a.createComment({ post_id: id, content: "two" });
  const inList = async () =>
    (await c.getPosts({ community_id: community.id, sort: "New" })).posts.find(
      (pv) => pv.post.id === id,
    );

  let listed = await inList();
  assert.equal(listed.read, false);
  assert.equal(listed.unread_comments, 2);

  const first = await c.getPost({ id });
  assert.equal(first.post_view.counts.comments, 2);
  assert.equal(first.post_view.read, false, "first getPost: read (Lemmy: state before opening)");
  assert.equal(first.post_view.unread_comments, 2, "first getPost: unread_comments");

  const again = await c.getPost({ id });
  assert.equal(again.post_view.read, true);
  assert.equal(again.post_view.unread_comments, 0);
  listed = await inList();
  assert.equal(listed.read, true);
  assert.equal(listed.unread_comments, 0);

  await a.createComment({ post_id: id, content: "three" });
  assert.equal((await inList()).unread_comments, 1);
});

console.log(JSON.stringify({ steps: done.length, ok: true, listings, names: done }));
