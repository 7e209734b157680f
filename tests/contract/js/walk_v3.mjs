// Calls every route of lemmy-js-client 0.19.9 against a live moot, with data that fills the
// optional parts of the answers, and checks every answer against the package's types
// (check.mjs). tests/contract/test_v3_shapes.py runs it once per backend.
//
//   node walk_v3.mjs BASE_URL CONTRACT.json SUFFIX ADMIN_NAME ADMIN_PASSWORD REMOTE_DOMAIN
//
// REMOTE_DOMAIN is an instance the test inserted (nothing on loopback federates here), for
// /site/block and /federated_instances. The walk goes on past a step that fails; the last line
// of stdout is {"calls": {route: {ok, errors}}, "diffs": [...], "unknown": [...], "failed": {}}.

import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { LemmyHttp } from "lemmy-js-client-v3";
import { ContractCheck } from "./check.mjs";
import { PNG, totp } from "./walk_tools.mjs";

const [baseUrl, contractPath, suffix, adminName, adminPassword, remote] = process.argv.slice(2);
if (!remote) {
  console.error("usage: node walk_v3.mjs BASE_URL CONTRACT.json SUFFIX ADMIN ADMIN_PASSWORD REMOTE_DOMAIN");
  process.exit(2);
}
const check = new ContractCheck(JSON.parse(readFileSync(contractPath, "utf8")), baseUrl);
const client = (jwt, ip) =>
  new LemmyHttp(baseUrl, {
    headers: {
      ...(jwt ? { Authorization: `Bearer ${jwt}` } : {}),
      // The server trusts loopback's X-Forwarded-For (as behind a proxy): an address of its
      // own for the calls whose bucket is tiny (settings export and import: 1 a day).
      ...(ip ? { "X-Forwarded-For": ip } : {}),
    },
    fetchFunction: check.fetch,
  });
const address = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join(".")}`;

const failed = {};
async function step(name, fn) {
  try {
    await fn();
  } catch (err) {
    failed[name] = String(err?.stack ?? err);
  }
}
/** An error is an answer too: it has been checked against LemmyErrorType on the way. */
const refused = (promise) => promise.then(
  (value) => {
    throw new Error(`expected an error, got ${JSON.stringify(value).slice(0, 200)}`);
  },
  (err) => err.message,
);

const password = "contract-pass-1";
const name = (role) => `${role}${suffix}`.slice(0, 20);
const anon = client();
const adminJwt = (await anon.login({ username_or_email: adminName, password: adminPassword })).jwt;
const admin = client(adminJwt);
const site0 = await admin.getSite();
// The site's settings as the walk found them, put back after each change (the server is
// shared with the other tests of the session).
const { site: site1, local_site: local1 } = site0.site_view;
const original = {
  sidebar: site1.sidebar ?? "",
  description: site1.description ?? "",
  icon: site1.icon ?? "",
  banner: site1.banner ?? "",
  content_warning: site1.content_warning ?? "",
  legal_information: local1.legal_information ?? "",
  application_question: local1.application_question ?? "",
  slur_filter_regex: local1.slur_filter_regex ?? "",
  registration_mode: local1.registration_mode,
  captcha_enabled: local1.captcha_enabled,
};

async function member(role, extra = {}) {
  const r = await anon.register({ username: name(role), password, password_verify: password, ...extra });
  const http = client(r.jwt);
  const me = (await http.getSite()).my_user.local_user_view.person;
  return { http, id: me.id, name: me.name, jwt: r.jwt };
}
const mod = await member("cm", { email: `cm${suffix}@example.test`, show_nsfw: true });
const user = await member("cu");
const victim = await member("cv");
const spare = await member("cs");

// Pictures first, so profiles, communities and posts can show them.
let image = null;
await step("images", async () => {
  image = await mod.http.uploadImage({ image: PNG });
  if (!image.url) throw new Error(`upload refused: ${JSON.stringify(image)}`);
  await mod.http.listMedia({});
  await admin.listAllMedia({});
  const extra = await mod.http.uploadImage({ image: PNG });
  const [token, filename] = [extra.files[0].delete_token, extra.files[0].file];
  if ((await mod.http.deleteImage({ token, filename })) !== true) throw new Error("not deleted");
});
const picture = image?.url ?? `${baseUrl}/favicon.ico`;

// A web page on loopback with Open Graph tags, for link previews (embed_*, thumbnails).
const pageServer = createServer((_, res) => {
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
  res.end(`<!doctype html><html><head><title>Linked page</title>
<meta property="og:title" content="A linked page">
<meta property="og:description" content="What the linked page is about">
<meta property="og:image" content="${picture}">
<meta property="og:video" content="https://video.example/clip.mp4">
</head><body>Hello</body></html>`);
});
await new Promise((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
const page = `http://127.0.0.1:${pageServer.address().port}/page.html`;

await step("profile", async () => {
  await mod.http.saveUserSettings({
    display_name: "Contract Moderator",
    bio: "I check **shapes**.",
    avatar: picture,
    banner: picture,
    matrix_user_id: `@cm${suffix}:example.test`,
    show_nsfw: true,
    discussion_languages: [],
  });
  await mod.http.validateAuth();
  await mod.http.listLogins();
  const backup = await client(mod.jwt, address()).exportSettings();
  await client(mod.jwt, address()).importSettings(backup);
  const totpUrl = (await spare.http.generateTotpSecret()).totp_secret_url;
  await spare.http.updateTotp({ totp_token: totp(totpUrl), enabled: true });
  await spare.http.updateTotp({ totp_token: totp(totpUrl), enabled: false });
  await admin.editSite({ captcha_enabled: true });
  try {
    await anon.getCaptcha();
  } finally {
    await admin.editSite({ captcha_enabled: original.captcha_enabled });
  }
});

// A community with everything a community can show.
const community = (
  await mod.http.createCommunity({
    name: name("cc"),
    title: "Contract community",
    description: "Where the **shapes** are checked.",
    icon: picture,
    banner: picture,
  })
).community_view.community;
const cid = community.id;
const other = (await mod.http.createCommunity({ name: name("co"), title: "Other" })).community_view
  .community;

await step("community", async () => {
  await mod.http.editCommunity({ community_id: cid, title: "Contract community!" });
  await user.http.followCommunity({ community_id: cid, follow: true });
  await victim.http.followCommunity({ community_id: cid, follow: true });
  await anon.getCommunity({ id: cid });
  await user.http.getCommunity({ name: community.name });
  await user.http.listCommunities({ type_: "All", sort: "New", limit: 50 });
  await user.http.blockCommunity({ community_id: other.id, block: true });
  await user.http.getSite(); // my_user with follows, moderates, blocks
  await user.http.blockCommunity({ community_id: other.id, block: false });
  await mod.http.addModToCommunity({ community_id: other.id, person_id: user.id, added: true });
  await mod.http.transferCommunity({ community_id: other.id, person_id: user.id });
  await user.http.deleteCommunity({ community_id: other.id, deleted: true });
  await user.http.deleteCommunity({ community_id: other.id, deleted: false });
  await admin.removeCommunity({ community_id: other.id, removed: true, reason: "contract" });
  await admin.removeCommunity({ community_id: other.id, removed: false });
  await admin.hideCommunity({ community_id: other.id, hidden: true, reason: "contract" });
  await admin.hideCommunity({ community_id: other.id, hidden: false });
});

// Posts, with a link to a picture of this server (image details, thumbnail, metadata).
const newPost = async (who, form) =>
  (await who.http.createPost({ community_id: cid, ...form })).post_view.post;
let post = null;
await step("posts", async () => {
  post = await newPost(user, {
    name: "A linked post",
    url: picture,
    body: "With a *body*.",
    alt_text: "a red and a blue pixel",
  });
  await newPost(mod, { name: "Cross post", url: picture });
  await newPost(mod, { name: "A link to a page", url: page, nsfw: true });
  await user.http.editPost({ post_id: post.id, body: "With an edited *body*." });
  await mod.http.likePost({ post_id: post.id, score: 1 });
  await victim.http.likePost({ post_id: post.id, score: -1 });
  await mod.http.savePost({ post_id: post.id, save: true });
  await mod.http.markPostAsRead({ post_ids: [post.id], read: true });
  await mod.http.getPost({ id: post.id });
  await anon.getPost({ id: post.id });
  await mod.http.getPosts({ type_: "All", sort: "New", limit: 20 });
  await mod.http.getPosts({ community_id: cid, saved_only: true });
  await anon.getPosts({ sort: "Hot", limit: 2 });
  await mod.http.listPostLikes({ post_id: post.id });
  await mod.http.lockPost({ post_id: post.id, locked: true });
  await mod.http.lockPost({ post_id: post.id, locked: false });
  await mod.http.featurePost({ post_id: post.id, featured: true, feature_type: "Community" });
  await admin.featurePost({ post_id: post.id, featured: true, feature_type: "Local" });
  // Taken down again: the front page is shared with the tests that run after the walk.
  await admin.featurePost({ post_id: post.id, featured: false, feature_type: "Local" });
  await mod.http.hidePost({ post_ids: [post.id], hide: true });
  await mod.http.getPosts({ community_id: cid, show_hidden: true });
  await mod.http.hidePost({ post_ids: [post.id], hide: false });
  await user.http.getSiteMetadata({ url: page });
  const gone = await newPost(user, { name: "Removed and deleted" });
  await mod.http.removePost({ post_id: gone.id, removed: true, reason: "contract" });
  await user.http.deletePost({ post_id: gone.id, deleted: true });
  await mod.http.getPost({ id: gone.id });
});
const postId = post?.id ?? (await newPost(user, { name: "Fallback post" })).id;

// A thread: a comment, a reply (a reply notification for its author) and a mention (of
// someone else: a person mentioned in a reply to their own comment gets only the mention).
let top = null;
let reply = null;
await step("comments", async () => {
  top = (await mod.http.createComment({ post_id: postId, content: "Top comment" })).comment_view
    .comment;
  reply = (
    await user.http.createComment({
      post_id: postId,
      parent_id: top.id,
      content: `A reply that mentions @${victim.name}@localhost`,
    })
  ).comment_view.comment;
  await user.http.editComment({ comment_id: reply.id, content: `An edited reply, @${victim.name}` });
  await mod.http.likeComment({ comment_id: reply.id, score: 1 });
  await victim.http.likeComment({ comment_id: reply.id, score: -1 });
  await mod.http.saveComment({ comment_id: reply.id, save: true });
  await mod.http.distinguishComment({ comment_id: top.id, distinguished: true });
  await mod.http.getComment({ id: reply.id });
  await anon.getComments({ post_id: postId, sort: "New" });
  await mod.http.getComments({ post_id: postId, max_depth: 8 });
  await mod.http.listCommentLikes({ comment_id: reply.id });
  const gone = (await victim.http.createComment({ post_id: postId, content: "Gone soon" }))
    .comment_view.comment;
  await mod.http.removeComment({ comment_id: gone.id, removed: true, reason: "contract" });
  await victim.http.deleteComment({ comment_id: gone.id, deleted: true });
  await admin.getComments({ post_id: postId });
});

await step("notifications", async () => {
  await mod.http.getUnreadCount();
  const replies = await mod.http.getReplies({ unread_only: true });
  const replyId = replies.replies[0]?.comment_reply.id;
  if (replyId === undefined) throw new Error("no reply notification");
  await mod.http.markCommentReplyAsRead({ comment_reply_id: replyId, read: true });
  await mod.http.getReplies({ unread_only: false, sort: "New" });
  const mentions = await victim.http.getPersonMentions({ unread_only: true });
  const mentionId = mentions.mentions[0]?.person_mention.id;
  if (mentionId === undefined) throw new Error("no mention");
  await victim.http.markPersonMentionAsRead({ person_mention_id: mentionId, read: true });
  await victim.http.markAllAsRead();
});

await step("private messages", async () => {
  const pm = (await user.http.createPrivateMessage({ recipient_id: mod.id, content: "Hello" }))
    .private_message_view.private_message;
  await user.http.editPrivateMessage({ private_message_id: pm.id, content: "Hello again" });
  await mod.http.getPrivateMessages({ unread_only: true });
  await mod.http.markPrivateMessageAsRead({ private_message_id: pm.id, read: true });
  const report = await mod.http.createPrivateMessageReport({
    private_message_id: pm.id,
    reason: "contract",
  });
  await admin.listPrivateMessageReports({});
  await admin.resolvePrivateMessageReport({
    report_id: report.private_message_report_view.private_message_report.id,
    resolved: true,
  });
  await admin.listPrivateMessageReports({ unresolved_only: false });
  await user.http.deletePrivateMessage({ private_message_id: pm.id, deleted: true });
  await user.http.getPrivateMessages({});
});

await step("reports", async () => {
  const pr = await victim.http.createPostReport({ post_id: postId, reason: "contract" });
  await mod.http.listPostReports({ community_id: cid });
  await mod.http.resolvePostReport({ report_id: pr.post_report_view.post_report.id, resolved: true });
  await mod.http.listPostReports({ unresolved_only: false });
  const cr = await victim.http.createCommentReport({ comment_id: reply?.id, reason: "contract" });
  await mod.http.listCommentReports({ community_id: cid });
  await mod.http.resolveCommentReport({
    report_id: cr.comment_report_view.comment_report.id,
    resolved: true,
  });
  await mod.http.listCommentReports({ unresolved_only: false });
  await mod.http.getReportCount({ community_id: cid });
  await admin.getReportCount({});
});

await step("people", async () => {
  await anon.getPersonDetails({ person_id: mod.id });
  await user.http.getPersonDetails({ username: mod.name, sort: "New", saved_only: false });
  await mod.http.getPersonDetails({ person_id: mod.id, saved_only: true });
  await user.http.blockPerson({ person_id: victim.id, block: true });
  await user.http.getSite();
  await user.http.blockPerson({ person_id: victim.id, block: false });
  const known = (await anon.getFederatedInstances()).federated_instances.linked;
  const instanceId = known.find((i) => i.domain === remote).id;
  await user.http.blockInstance({ instance_id: instanceId, block: true });
  await user.http.getSite();
  await user.http.blockInstance({ instance_id: instanceId, block: false });
});

await step("bans", async () => {
  const expires = Math.floor(Date.now() / 1000) + 86400;
  await mod.http.banFromCommunity({
    community_id: cid,
    person_id: victim.id,
    ban: true,
    reason: "contract",
    expires,
  });
  await mod.http.getPost({ id: postId }); // a banned voter in the post's vote list
  await mod.http.listPostLikes({ post_id: postId });
  await mod.http.banFromCommunity({ community_id: cid, person_id: victim.id, ban: false });
  await admin.banPerson({ person_id: victim.id, ban: true, reason: "contract", expires });
  await admin.getBannedPersons();
  await anon.getPersonDetails({ person_id: victim.id });
  await admin.banPerson({ person_id: victim.id, ban: false });
});

await step("admins", async () => {
  await admin.addAdmin({ person_id: spare.id, added: true });
  await spare.http.leaveAdmin();
  const emoji = (
    await admin.createCustomEmoji({
      category: "contract",
      shortcode: `c${suffix}`.slice(0, 30),
      image_url: picture,
      alt_text: "contract",
      keywords: ["contract"],
    })
  ).custom_emoji.custom_emoji;
  await admin.editCustomEmoji({
    id: emoji.id,
    category: "contract",
    image_url: picture,
    alt_text: "contract!",
    keywords: ["contract", "shapes"],
  });
  // Everything a site can show, put back as it was at the end of the step.
  try {
    await admin.editSite({
      sidebar: "A sidebar for the contract walk.",
      description: "Checks shapes",
      legal_information: "None",
      application_question: "Why?",
      icon: picture,
      banner: picture,
      content_warning: "Shapes ahead",
      slur_filter_regex: "contractslur",
    });
    await user.http.getSite(); // custom emojis, site pictures, an admin with a profile
    await anon.getSite();
  } finally {
    await admin.editSite(original);
  }
  await admin.deleteCustomEmoji({ id: emoji.id });
  await refused(admin.createSite({ name: "Again" }));
});

await step("registration applications", async () => {
  await admin.editSite({ registration_mode: "RequireApplication", application_question: "Why?" });
  try {
    const applicant = name("ca");
    await anon.register({ username: applicant, password, password_verify: password, answer: "Shapes" });
    await admin.getUnreadRegistrationApplicationCount();
    const pending = await admin.listRegistrationApplications({ unread_only: true });
    const mine = pending.registration_applications.find((a) => a.creator.name === applicant);
    await admin.approveRegistrationApplication({
      id: mine.registration_application.id,
      approve: false,
      deny_reason: "contract",
    });
    await admin.getRegistrationApplication({ person_id: mine.creator.id });
    await refused(anon.login({ username_or_email: applicant, password })); // with the reason
    await admin.approveRegistrationApplication({ id: mine.registration_application.id, approve: true });
    await admin.listRegistrationApplications({ unread_only: false });
    // Turned down without a reason: the error's message is null.
    const silent = name("cq");
    await anon.register({ username: silent, password, password_verify: password, answer: "?" });
    const apps = await admin.listRegistrationApplications({ unread_only: true });
    const app = apps.registration_applications.find((a) => a.creator.name === silent);
    await admin.approveRegistrationApplication({ id: app.registration_application.id, approve: false });
    await refused(anon.login({ username_or_email: silent, password }));
  } finally {
    await admin.editSite(original);
  }
});

await step("accounts", async () => {
  const jwt = (await anon.login({ username_or_email: spare.name, password })).jwt;
  const again = client(jwt);
  const changed = await again.changePassword({
    new_password: "contract-pass-2",
    new_password_verify: "contract-pass-2",
    old_password: password,
  });
  await client(changed.jwt).logout();
  // Mail is not set up on this server: the reset request and the links are refused.
  await refused(anon.passwordReset({ email: `cm${suffix}@example.test` }));
  await refused(anon.verifyEmail({ token: "not-a-token" }));
  await refused(
    anon.passwordChangeAfterReset({ token: "not-a-token", password, password_verify: password }),
  );
  const leaving = await member("cd");
  await leaving.http.deleteAccount({ password, delete_content: true });
});

await step("search and resolve", async () => {
  await user.http.search({ q: "contract", type_: "All", listing_type: "All" });
  await anon.search({ q: "Contract", type_: "Communities" });
  await anon.search({ q: name("c"), type_: "Users" });
  const apId = (await anon.getPost({ id: postId })).post_view.post.ap_id;
  await user.http.resolveObject({ q: apId });
  await user.http.resolveObject({ q: `!${community.name}@localhost` });
  await user.http.resolveObject({ q: `@${mod.name}@localhost` });
  if (reply) {
    const commentAp = (await anon.getComment({ id: reply.id })).comment_view.comment.ap_id;
    await user.http.resolveObject({ q: commentAp });
  }
});

await step("purges", async () => {
  const doomed = await member("cx");
  const p = await newPost(doomed, { name: "Purge me" });
  // The purged comment sits under a post that stays: purging a post, or its author, takes
  // the log entries that name the post with it, and the log must show a comment's purge.
  const kept = await newPost(mod, { name: "A purged comment was here" });
  const c = (await doomed.http.createComment({ post_id: kept.id, content: "Purge me too" }))
    .comment_view.comment;
  await admin.purgeComment({ comment_id: c.id, reason: "contract" });
  await admin.purgePost({ post_id: p.id, reason: "contract" });
  await admin.purgePerson({ person_id: doomed.id, reason: "contract" });
  const gone = (await mod.http.createCommunity({ name: name("cg"), title: "Purged" }))
    .community_view.community;
  await admin.purgeCommunity({ community_id: gone.id, reason: "contract" });
});

// Refusals are answers too: each is checked against LemmyErrorType (a `message` only where
// the code's variant has one).
await step("refusals", async () => {
  await refused(anon.getUnreadCount());
  await refused(anon.getPost({ id: 2147483000 }));
  await refused(anon.getPosts({ page_cursor: "not-a-cursor" }));
  await refused(anon.search({ q: "x", page: 0 }));
  await refused(user.http.createComment({ post_id: postId, content: "   " }));
  await refused(user.http.createPrivateMessage({ recipient_id: mod.id, content: "" }));
  await refused(user.http.editSite({ sidebar: "mine" }));
  await refused(user.http.resolveObject({ q: "no such thing" }));
  await refused(user.http.likePost({ post_id: "not a number", score: 1 }));
  await refused(user.http.saveUserSettings({ display_name: "x".repeat(300) }));
});

await step("modlog", async () => {
  await anon.getModlog({});
  await admin.getModlog({}); // an admin sees who did what
  await admin.getModlog({ community_id: cid });
  await admin.getModlog({ mod_person_id: mod.id, limit: 50 });
});

pageServer.close();
console.log(JSON.stringify({ ...check.report(), failed }));
