// Link previews and the image proxy in one image mode, with the real lemmy-js-client 0.19.9.
//
//   node image_proxy.mjs BASE_URL ORIGIN USERNAME PASSWORD MODE REMOTE_BASE
//
// ORIGIN is the instance's public address (what its links start with); BASE_URL is where
// this script reaches it. REMOTE_BASE serves /page.html (og:image /og.png), /pic.png and
// /notes.txt. On success the last line of stdout is {"ok": true, "steps": N}; on failure
// the failed step and its error go to stderr and the exit status is 1.

import assert from "node:assert/strict";
import { LemmyHttp } from "lemmy-js-client";

const [baseUrl, origin, username, password, mode, remote] = process.argv.slice(2);
if (!remote) {
  console.error("usage: node image_proxy.mjs BASE_URL ORIGIN USERNAME PASSWORD MODE REMOTE_BASE");
  process.exit(2);
}

let steps = 0;
async function step(name, fn) {
  try {
    await fn();
  } catch (err) {
    console.error(`step ${steps + 1} "${name}" failed:\n${err?.stack ?? err}`);
    process.exit(1);
  }
  steps += 1;
}

const proxy = (url) => `${origin}/api/v3/image_proxy?url=${encodeURIComponent(url)}`;
// The instance's own links, fetched where this script reaches it.
const here = (url) => baseUrl + url.slice(origin.length);
const pngWidth = (bytes) => bytes.readUInt32BE(16);

const { jwt } = await new LemmyHttp(baseUrl).login({ username_or_email: username, password });
const client = new LemmyHttp(baseUrl, { headers: { Authorization: `Bearer ${jwt}` } });
let communityId, linkPost, imagePost;

await step("a community", async () => {
  const name = `pics${Date.now() % 100000}${mode.length}`;
  const created = await client.createCommunity({ name, title: "Pictures" });
  communityId = created.community_view.community.id;
});

await step("a link post with a picture in its body", async () => {
  const { post_view } = await client.createPost({
    community_id: communityId,
    name: "A page worth reading",
    url: `${remote}/page.html`,
    body: `Look: ![a picture](${remote}/pic.png "its title")`,
  });
  linkPost = post_view.post;
  assert.equal(linkPost.url, `${remote}/page.html`);
  // Every mode fetches the page's preview.
  assert.equal(linkPost.embed_title, "A page with a picture");
  assert.equal(linkPost.url_content_type, "text/html");
});

await step("an image post", async () => {
  const { post_view } = await client.createPost({
    community_id: communityId,
    name: "Just a picture",
    url: `${remote}/pic.png`,
  });
  imagePost = post_view.post;
  assert.equal(imagePost.url_content_type, "image/png");
});

await step(`the thumbnails and the body as ${mode} leaves them`, async () => {
  const body = `Look: ![a picture](${remote}/pic.png "its title")`;
  if (mode === "None") {
    assert.equal(linkPost.thumbnail_url, `${remote}/og.png`);
    assert.equal(imagePost.thumbnail_url, `${remote}/pic.png`);
    assert.equal(linkPost.body, body);
  } else if (mode === "StoreLinkPreviews") {
    for (const post of [linkPost, imagePost]) {
      assert.ok(post.thumbnail_url.startsWith(`${origin}/pictrs/image/`), post.thumbnail_url);
    }
    assert.equal(imagePost.url, `${remote}/pic.png`);
    assert.equal(linkPost.body, body);
  } else {
    assert.equal(linkPost.thumbnail_url, proxy(`${remote}/og.png`));
    assert.equal(imagePost.url, proxy(`${remote}/pic.png`));
    assert.equal(imagePost.thumbnail_url, proxy(`${remote}/pic.png`));
    assert.equal(linkPost.body, `Look: ![a picture](${proxy(`${remote}/pic.png`)} "its title")`);
  }
});

await step("getPost shows the same", async () => {
  const { post_view } = await client.getPost({ id: linkPost.id });
  assert.equal(post_view.post.thumbnail_url, linkPost.thumbnail_url);
  assert.equal(post_view.post.body, linkPost.body);
});

await step("the thumbnail loads", async () => {
  const response = await fetch(
    linkPost.thumbnail_url.startsWith(origin) ? here(linkPost.thumbnail_url) : linkPost.thumbnail_url,
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "image/png");
  const bytes = Buffer.from(await response.arrayBuffer());
  // og.png is 800 pixels wide; a stored preview is shrunk to 512.
  assert.equal(pngWidth(bytes), mode === "StoreLinkPreviews" ? 512 : 800);
});

await step("the proxy serves what it rewrote, twice (the second from its cache)", async () => {
  const url = here(proxy(`${remote}/pic.png`));
  for (let i = 0; i < 2; i++) {
    const response = await fetch(url);
    if (mode !== "ProxyAllImages") {
      // The route exists in every mode; it serves only links it rewrote.
      assert.equal(response.status, 404);
      assert.deepEqual(await response.json(), { error: "unknown", message: "Record not found" });
      continue;
    }
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "image/png");
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(pngWidth(Buffer.from(await response.arrayBuffer())), 40);
  }
});

await step("format and thumbnail, as pict-rs takes them", async () => {
  const url = here(proxy(`${remote}/og.png`)) + "&format=jpg&thumbnail=100";
  const response = await fetch(url);
  if (mode !== "ProxyAllImages") {
    assert.equal(response.status, 404);
    return;
  }
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "image/jpeg");
});

await step("a link it never rewrote is refused", async () => {
  const response = await fetch(here(proxy(`${remote}/notes.txt`)));
  assert.equal(response.status, 404);
});

console.log(JSON.stringify({ ok: true, steps }));
