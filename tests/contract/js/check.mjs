// Checks every response a lemmy-js-client receives against the contract of its package
// (contract.mjs): a fetch to hand to `LemmyHttp` that records each exchange, finds its route
// by verb and path, and validates the JSON body, field by field, against the route's
// response type (a 2xx) or against LemmyErrorType (`{"error": code}`, anything else).
//
// Used by walk_v3.mjs; a v4 walk uses it the same way with the 1.0.0-beta.2 contract.

import Ajv from "ajv";

// Where Lemmy's documented behaviour (reference/lemmy-api-v3.md, Lemmy 0.19.20) differs
// from what the package's types declare, the reference wins; docs/decisions.md lists each.

/** Response types replaced, by "<api> <route>". */
export const OVERRIDES = {
  // Declared `Promise<string>`; Lemmy sends UserSettingsBackup, a JSON object (§ User /
  // account), which importSettings takes back. 0.19.9 has no type for it.
  "v3 exportSettings": { type: "object" },
  // The same in 1.0.0-beta.2 (`exportUserSettings`), which declares UserSettingsBackup for
  // the import that takes it back.
  "v4 exportUserSettings": { type: "object" },
};

/** Fields Lemmy 0.19 sends that the 0.19.9 types do not declare, by "<api> <definition>". */
export const EXTRA_FIELDS = {
  // § 2 LocalUser: sent since Lemmy 0.19.6 (the donation dialog).
  "v3 LocalUser": { last_donation_notification: { type: "string" } },
  // § 2 PrivateMessage: an admin can remove a message (0.19.4).
  "v3 PrivateMessage": { removed: { type: "boolean" } },
  // § Images: pict-rs describes each upload.
  "v3 ImageFile": {
    details: {
      type: "object",
      properties: {
        width: { type: "number" },
        height: { type: "number" },
        content_type: { type: "string" },
        created_at: { type: "string" },
      },
      required: ["width", "height", "content_type", "created_at"],
      additionalProperties: false,
    },
  },
};

/** The contract's schema with EXTRA_FIELDS added (as optional fields) and OVERRIDES. */
function patched(contract) {
  const definitions = structuredClone(contract.schema.definitions);
  for (const [key, fields] of Object.entries(EXTRA_FIELDS)) {
    const [api, name] = key.split(" ");
    if (api !== contract.api || !definitions[name]) continue;
    definitions[name].properties = { ...definitions[name].properties, ...fields };
  }
  for (const [key, schema] of Object.entries(OVERRIDES)) {
    const [api, name] = key.split(" ");
    if (api === contract.api) definitions[`Route_${name}`] = schema;
  }
  return { ...contract.schema, definitions };
}

function pathPattern(path) {
  const parts = path.split(/\{[a-z_]+\}/).map((s) => s.replace(/[.*+?^$()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join("[^/]+")}$`);
}

/** JSON pointer of a body with array indices folded (`/posts/3/post` -> `/posts/*\/post`). */
const fold = (pointer) => pointer.replace(/\/\d+(?=\/|$)/g, "/*");

function describe(error) {
  const p = error.params ?? {};
  if (error.keyword === "additionalProperties") return `unexpected field "${p.additionalProperty}"`;
  if (error.keyword === "required") return `missing required field "${p.missingProperty}"`;
  if (error.keyword === "type") return `expected ${p.type}`;
  if (error.keyword === "enum") return `expected one of ${JSON.stringify(p.allowedValues)}`;
  if (error.keyword === "const") return `expected ${JSON.stringify(p.allowedValue)}`;
  return `${error.keyword}: ${error.message}`;
}

export class ContractCheck {
  constructor(contract, baseUrl) {
    this.contract = contract;
    this.api = `${baseUrl.replace(/\/+$/, "")}/api/${contract.api}`;
    const schema = patched(contract);
    this.definitions = schema.definitions;
    this.ajv = new Ajv({ allErrors: true, strict: false });
    this.ajv.addSchema({ $id: "contract", ...schema });
    this.routes = contract.routes.map((r) => ({ ...r, pattern: pathPattern(r.path) }));
    this.calls = {}; // route name -> {ok: n, errors: {code: n}}
    this.diffs = new Map(); // "route status path problem" -> {route, status, path, problem, seen, example}
    this.unknown = []; // exchanges that match no route
    // LemmyErrorType is a union of ~170 `{error: const, message?}`: an error body is checked
    // against its own code's variant, so a mistake reads as one line, not 170.
    this.errorVariants = new Map(
      (this.definitions.LemmyErrorType?.anyOf ?? []).map((v) => [v.properties.error.const, v]),
    );
    this.optional = new Map(); // "Definition.field" of an optional field -> times present
    this.fetch = this.fetch.bind(this);
  }

  route(verb, url) {
    const full = decodeURIComponent(new URL(url).pathname);
    const prefix = new URL(this.api).pathname;
    const inside = full.startsWith(`${prefix}/`) ? full.slice(prefix.length) : null;
    return this.routes.find(
      (r) => r.verb === verb && r.pattern.test(r.prefixed ? (inside ?? "") : full),
    );
  }

  async fetch(input, init = {}) {
    const response = await fetch(input, init);
    const verb = init.method ?? "GET";
    const route = this.route(verb, String(input));
    if (!route) {
      this.unknown.push(`${verb} ${input}`);
      return response;
    }
    const text = await response.clone().text();
    this.check(route, response.status, text);
    return response;
  }

  check(route, status, text) {
    const calls = (this.calls[route.name] ??= { ok: 0, errors: {} });
    const ok = status >= 200 && status < 300;
    if (ok && route.response === "boolean") {
      // The client makes the boolean from the status (deleteImage: 204, no body).
      calls.ok += 1;
      return;
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      this.diff(route, status, "", "the body is not JSON", text.slice(0, 200));
      return;
    }
    if (ok) calls.ok += 1;
    else {
      const code = typeof body?.error === "string" ? body.error : `HTTP ${status}`;
      calls.errors[code] = (calls.errors[code] ?? 0) + 1;
    }
    const ref = `contract#/definitions/${ok ? `Route_${route.name}` : "Route__error"}`;
    const validate = this.ajv.getSchema(ref);
    if (!validate) {
      this.diff(route, status, "", `no schema ${ref}`, null);
      return;
    }
    if (ok) this.visit(body, { $ref: ref.slice("contract".length) });
    if (validate(body)) return;
    let errors = validate.errors ?? [];
    if (!ok && typeof body?.error === "string") {
      const variant = this.errorVariants.get(body.error);
      if (!variant) {
        this.diff(route, status, "/error", `unknown error code "${body.error}"`, body);
        return;
      }
      const one = this.ajv.compile(variant);
      one(body);
      errors = one.errors ?? [];
    }
    for (const e of errors) {
      const value = e.instancePath.split("/").slice(1).reduce((o, k) => o?.[k], body);
      this.diff(route, status, fold(e.instancePath), describe(e), value);
    }
  }

  /** Counts, for every optional field of every object type `value` holds, whether it is
   * there: the walk is meant to fill the optional parts, and report() says which it did not. */
  visit(value, schema) {
    while (schema?.$ref) {
      const name = decodeURIComponent(schema.$ref.replace("#/definitions/", ""));
      schema = { ...this.definitions[name], title: name };
    }
    if (!schema || value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const item of value) this.visit(item, schema.items);
      return;
    }
    for (const branch of schema.anyOf ?? []) {
      if ((branch.required ?? []).every((k) => k in value)) this.visit(value, branch);
    }
    const required = new Set(schema.required ?? []);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (schema.title && !required.has(key)) {
        const name = `${schema.title}.${key}`;
        this.optional.set(name, (this.optional.get(name) ?? 0) + (key in value ? 1 : 0));
      }
      if (key in value) this.visit(value[key], sub);
    }
  }

  diff(route, status, path, problem, value) {
    const key = `${route.name} ${status} ${path} ${problem}`;
    const known = this.diffs.get(key);
    if (known) known.seen += 1;
    else {
      const example = JSON.stringify(value)?.slice(0, 160) ?? "undefined";
      this.diffs.set(key, { route: route.name, status, path, problem, seen: 1, example });
    }
  }

  report() {
    const absent = [...this.optional].filter(([, n]) => n === 0).map(([name]) => name);
    return {
      calls: this.calls,
      diffs: [...this.diffs.values()],
      unknown: this.unknown,
      never_present: absent.sort(),
    };
  }
}

// node check.mjs CONTRACT.json ROUTE STATUS BODY: the diffs of one answer, as JSON.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { readFileSync } = await import("node:fs");
  const [contractPath, name, status, body] = process.argv.slice(2);
  const check = new ContractCheck(JSON.parse(readFileSync(contractPath, "utf8")), "http://x");
  const route = check.routes.find((r) => r.name === name);
  if (!route) {
    console.error(`no route ${name}`);
    process.exit(2);
  }
  check.check(route, Number(status), body);
  console.log(JSON.stringify(check.report().diffs));
}
