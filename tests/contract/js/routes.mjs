// The route table of a lemmy-js-client package, derived from the package itself.
//
//   node routes.mjs PACKAGE_DIR   prints {version, routes: [{name, verb, path, prefixed, form,
//                                 response}, ...]}
//
// The verb and path come from running each method of the package's `LemmyHttp` (dist/http.js)
// against a fetch that records the request instead of sending it; the form and response
// types come from the method's signature in dist/http.d.ts (`Promise<T>`, or v4's
// `Promise<RequestState<T>>`). `path` is relative to `/api/<VERSION>` when the request goes
// there (`prefixed`), else it is the request's own path (v3's pict-rs routes, v4's
// /nodeinfo/2.1); a path parameter reads `{name}`.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const BASE = "http://contract.invalid";
const NOT_ROUTES = new Set(["constructor", "setHeaders", "wrapper", "upload", "uploadWithQuery"]);

/** {name: {form, response}} from the method signatures of dist/http.d.ts. */
export function signatures(dist) {
  const text = readFileSync(path.join(dist, "http.d.ts"), "utf8");
  const out = {};
  const line = /^ {4}(\w+)(?:<[^>]*>)?\((.*)\): Promise<(.*)>;$/gm;
  for (const [, name, params, result] of text.matchAll(line)) {
    const form = /^(?:\w+|\{[^}]*\})\??: (\w+)/.exec(params)?.[1] ?? null;
    const state = /^import\("\.\/request_state"\)\.RequestState<(.*)>$/.exec(result);
    out[name] = { form: form === "RequestOptions" ? null : form, response: state ? state[1] : result };
  }
  return out;
}

/** The API version (`v3`, `v4`) the package talks to, from dist/other_types.js. */
export function apiVersion(dist) {
  const require = createRequire(path.join(dist, "index.js"));
  return require("./other_types.js").VERSION;
}

/** [{name, verb, path, prefixed, form, response}] for every route method of the package's LemmyHttp. */
export async function routeTable(packageDir) {
  const dist = path.resolve(packageDir, "dist");
  const require = createRequire(path.join(dist, "index.js"));
  const { LemmyHttp } = require("./http.js");
  const prefix = `/api/${apiVersion(dist)}`;
  const types = signatures(dist);
  const routes = [];
  let seen = null;
  const recorder = async (url, init = {}) => {
    seen = { verb: init.method ?? "GET", url: new URL(String(url)) };
    return new Response("{}", { status: 200, headers: { "Content-Type": "application/json" } });
  };
  const http = new LemmyHttp(BASE, { fetchFunction: recorder });
  // Path parameters come back as `{name}`; an upload gets one byte.
  const image = { image: new Uint8Array([0]), token: "{token}", filename: "{filename}" };
  const names = Object.getOwnPropertyNames(LemmyHttp.prototype).filter(
    (n) => !NOT_ROUTES.has(n) && !n.startsWith("_") && typeof LemmyHttp.prototype[n] === "function",
  );
  for (const name of names.sort()) {
    seen = null;
    try {
      await http[name]({ ...image }, { ...image });
    } catch {
      // The recorder answers `{}` to everything; a method that then fails on it was seen.
    }
    if (seen === null) continue; // not a route (a helper of the class)
    const full = decodeURIComponent(seen.url.pathname);
    const prefixed = full.startsWith(`${prefix}/`);
    const p = prefixed ? full.slice(prefix.length) : full;
    const sig = types[name] ?? { form: null, response: null };
    routes.push({ name, verb: seen.verb, path: p, prefixed, form: sig.form, response: sig.response });
  }
  return routes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [packageDir] = process.argv.slice(2);
  if (!packageDir) {
    console.error("usage: node routes.mjs PACKAGE_DIR");
    process.exit(2);
  }
  const dist = path.resolve(packageDir, "dist");
  console.log(JSON.stringify({ version: apiVersion(dist), routes: await routeTable(packageDir) }));
}
