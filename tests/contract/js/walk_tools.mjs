// What the contract walks share: the command line and scaffolding of every API v4 walk
// (`startWalk`), lemmy-js-client 1.0's RequestState read as success or failure, a one-time
// code for two-factor sign-in, and a picture to upload.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { LemmyHttp } from "lemmy-js-client-v4";
import { ContractCheck } from "./check.mjs";

// An API v4 walk run as `node SCRIPT BASE_URL CONTRACT.json SUFFIX [ADMIN_NAME ADMIN_PASSWORD
// [EXTRA...]]` (`extra` names the walk's own further arguments, which it then requires): the
// real 1.0 client through the contract check, the last HTTP exchanges kept for a failed
// step's report, the v3 API by hand (the 0.19 client is another package) to read back what
// v4 wrote, and `finish()` printing the JSON summary the Python side reads: {"ok": true,
// "steps": N, "names": [...], "calls", "diffs", "unknown", "never_present"}. A failed step
// prints itself, its error and the exchanges to stderr and exits 1.
export function startWalk(script, { extra = [] } = {}) {
  const [baseUrl, contractPath, suffix, adminName, adminPassword, ...rest] = process.argv.slice(2);
  if (!baseUrl || !contractPath || !suffix || rest.length < extra.length) {
    const more = extra.length ? ` ADMIN_NAME ADMIN_PASSWORD ${extra.join(" ")}` : " [ADMIN_NAME ADMIN_PASSWORD]";
    console.error(`usage: node ${script} BASE_URL CONTRACT.json SUFFIX${more}`);
    process.exit(2);
  }
  const args = Object.fromEntries(extra.map((name, i) => [name, rest[i]]));
  const check = new ContractCheck(JSON.parse(readFileSync(contractPath, "utf8")), baseUrl);

  const exchanges = [];
  async function tracingFetch(input, init = {}) {
    const response = await (String(input).includes("/api/v4/") ? check.fetch : fetch)(input, init);
    const text = await response.clone().text();
    exchanges.push({
      request: `${init.method ?? "GET"} ${input}`,
      body: init.body,
      status: response.status,
      response: text.length > 1500 ? `${text.slice(0, 1500)}...` : text,
    });
    if (exchanges.length > 8) exchanges.shift();
    return response;
  }

  function client(jwt, ip) {
    const headers = jwt ? { Authorization: `Bearer ${jwt}` } : {};
    // The server trusts loopback's X-Forwarded-For (as behind a proxy): an address of its
    // own for calls whose rate bucket is tiny.
    if (ip) headers["X-Forwarded-For"] = ip;
    return new LemmyHttp(baseUrl, { headers, fetchFunction: tracingFetch });
  }

  // A v3 call: its status and answer, whatever they are.
  async function v3Raw(method, path, jwt, body) {
    const url = new URL(`${baseUrl}/api/v3${path}`);
    const init = { method, headers: { "Content-Type": "application/json" } };
    if (jwt) init.headers.Authorization = `Bearer ${jwt}`;
    if (method === "GET") {
      for (const [key, value] of Object.entries(body ?? {})) url.searchParams.set(key, value);
    } else {
      init.body = JSON.stringify(body ?? {});
    }
    const response = await tracingFetch(url.toString(), init);
    return { status: response.status, json: await response.json() };
  }

  // A v3 call whose status must be `status`: its answer.
  async function v3(method, path, jwt, body, status = 200) {
    const answer = await v3Raw(method, path, jwt, body);
    assert.equal(answer.status, status, JSON.stringify(answer.json));
    return answer.json;
  }

  const names = [];
  async function step(name, body) {
    try {
      await body();
      names.push(name);
    } catch (error) {
      console.error(`step failed: ${name}\n${error?.stack ?? error}`);
      console.error(JSON.stringify(exchanges, null, 2));
      process.exit(1);
    }
  }

  function finish(more = {}) {
    console.log(JSON.stringify({ ok: true, steps: names.length, names, ...more, ...check.report() }));
  }

  return {
    baseUrl,
    suffix,
    adminName,
    adminPassword,
    args,
    check,
    tracingFetch,
    client,
    v3,
    v3Raw,
    step,
    finish,
  };
}

// An address of its own (10.x.y.z) for a client: see `client(jwt, ip)`.
export const address = () =>
  `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join(".")}`;

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
