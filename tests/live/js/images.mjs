// Upload, fetch, list and delete a picture with the real lemmy-js-client 0.19.9.
//
//   node images.mjs http://127.0.0.1:PORT USERNAME PASSWORD
//
// The user must exist. On success the last line of stdout is {"ok": true, "steps": N}; on
// failure the failed step and its error go to stderr and the exit status is 1.

import assert from "node:assert/strict";
import { LemmyHttp } from "lemmy-js-client";

const [baseUrl, username, password] = process.argv.slice(2);
if (!baseUrl || !username || !password) {
  console.error("usage: node images.mjs BASE_URL USERNAME PASSWORD");
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

// A 2x1 PNG, one red pixel and one blue (its bytes here, so the script needs no encoder).
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000020000000108020000007b40e8dd0000000f4944" +
    "4154789c63f8cfc0c0c0f01f00070001ff7e08b1d00000000049454e44ae426082",
  "hex",
);

const { jwt } = await new LemmyHttp(baseUrl).login({ username_or_email: username, password });
const client = new LemmyHttp(baseUrl, { headers: { Authorization: `Bearer ${jwt}` } });
let uploaded;

await step("upload a png as a Buffer (sent as image/jpeg, image.jpg)", async () => {
  uploaded = await client.uploadImage({ image: PNG });
  assert.equal(uploaded.msg, "ok");
  assert.equal(uploaded.files.length, 1);
  assert.match(uploaded.files[0].file, /\.png$/);
  assert.equal(uploaded.url, `${baseUrl}/pictrs/image/${uploaded.files[0].file}`);
  assert.ok(uploaded.delete_url.startsWith(`${baseUrl}/pictrs/image/delete/`));
});

await step("the url serves the picture", async () => {
  const response = await fetch(uploaded.url);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "image/png");
  const bytes = Buffer.from(await response.arrayBuffer());
  assert.deepEqual(bytes.subarray(0, 8), PNG.subarray(0, 8));
});

await step("listMedia shows it", async () => {
  const { images } = await client.listMedia({});
  assert.equal(images.length, 1);
  assert.equal(images[0].local_image.pictrs_alias, uploaded.files[0].file);
  assert.equal(images[0].person.name, username);
});

await step("a non-image is refused (msg is not ok, no url)", async () => {
  const refused = await client.uploadImage({ image: Buffer.from("just some text") });
  assert.notEqual(refused.msg, "ok");
  assert.equal(refused.url, undefined);
});

await step("deleteImage", async () => {
  const [token, filename] = uploaded.delete_url.split("/").slice(-2);
  assert.equal(await client.deleteImage({ token, filename }), true);
});

await step("the picture is gone", async () => {
  assert.equal((await fetch(uploaded.url)).status, 404);
  assert.deepEqual((await client.listMedia({})).images, []);
});

console.log(JSON.stringify({ ok: true, steps }));
