// What the contract walks share: lemmy-js-client 1.0's RequestState read as success or
// failure, a one-time code for two-factor sign-in, and a picture to upload.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";

// lemmy-js-client 1.0 answers a RequestState instead of throwing: the data, or the failure.
export async function ok(promise) {
  const result = await promise;
  if (result.state !== "success") {
    throw new Error(`request failed: ${result.err?.name} ${result.err?.message}`);
  }
  return result.data;
}

export async function fails(promise, code) {
  const result = await promise;
  assert.equal(result.state, "failed", "the request should have failed");
  assert.equal(result.err.name, code);
}

// RFC 6238 (SHA-1, 6 digits, 30 s) from an otpauth:// URL.
export function totp(url) {
  const secret = new URL(url).searchParams.get("secret").replace(/=+$/, "");
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((x) => parseInt(x, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const at = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1e6).padStart(6, "0");
}

// A 2x1 PNG (one red pixel, one blue).
export const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000020000000108020000007b40e8dd0000000f4944" +
    "4154789c63f8cfc0c0c0f01f00070001ff7e08b1d00000000049454e44ae426082",
  "hex",
);
