// Walk a live moot server's OAuth sign-in (API v4) with the real lemmy-js-client
// 1.0.0-beta.2 against a real OpenID Connect provider (tests/oidc/server.mjs): the admin
// adds the provider, the browser's part of the authorization is played here (the provider's
// own login and consent forms, PKCE S256, state), and the code is traded through
// authenticateWithOAuth — a new account, the same account again, refusals. Every v4 answer
// is checked against the package's types (check.mjs).
//
//   node walk_v4_oauth.mjs BASE_URL CONTRACT.json SUFFIX ADMIN_NAME ADMIN_PASSWORD \
//        ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// On success the last line of stdout is a JSON summary {"ok": true, "steps": N, "names",
// "calls", "diffs", "unknown", "never_present"}; on failure the failed step, the error and
// the last HTTP exchanges go to stderr, exit 1.

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { fails, ok, startWalk } from "./walk_tools.mjs";

const { baseUrl, suffix, adminName, adminPassword, args, client, v3, tracingFetch, step, finish } =
  startWalk("walk_v4_oauth.mjs", { extra: ["issuer", "clientId", "secret", "redirectUri"] });
const { issuer, clientId, secret, redirectUri } = args;

// The browser's part: to the provider's authorization endpoint with the public provider's
// settings, through its login and consent forms (cookies kept), until it sends the browser
// back to the redirect URI; the code, the state it came back with and the PKCE verifier.
async function authorize(provider, login) {
  const state = randomBytes(16).toString("base64url");
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL(provider.authorization_endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", provider.client_id);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("scope", provider.scopes);
  url.searchParams.set("state", state);
  if (provider.use_pkce) {
    url.searchParams.set("code_challenge", createHash("sha256").update(verifier).digest("base64url"));
    url.searchParams.set("code_challenge_method", "S256");
  }
  const jar = new Map();
  let next = { url: url.toString(), init: {} };
  for (let hop = 0; hop < 20; hop++) {
    const headers = { Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") };
    const response = await fetch(next.url, { ...next.init, headers: { ...next.init.headers, ...headers }, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const at = pair.indexOf("=");
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get("location");
    if (location) {
      const target = new URL(location, next.url);
      if (target.toString().startsWith(redirectUri)) {
        assert.equal(target.searchParams.get("state"), state, "the state comes back");
        const code = target.searchParams.get("code");
        assert.ok(code, `no code: ${target}`);
        return { code, verifier };
      }
      next = { url: target.toString(), init: {} };
      continue;
    }
    const html = await response.text();
    assert.equal(response.status, 200, html.slice(0, 500));
    const action = new URL(html.match(/<form[^>]*action="([^"]+)"/)[1].replaceAll("&amp;", "&"), next.url);
    const prompt = html.match(/name="prompt" value="(\w+)"/)[1];
    const form = new URLSearchParams({ prompt });
    if (prompt === "login") {
      form.set("login", login);
      form.set("password", "any password");
    }
    next = {
      url: action.toString(),
      init: { method: "POST", body: form.toString(), headers: { "Content-Type": "application/x-www-form-urlencoded" } },
    };
  }
  throw new Error("the authorization never came back");
}

const anon = client();
const memberName = `oam_${suffix}`.slice(0, 20);
const newName = `oan_${suffix}`.slice(0, 20);
const login = `person-${suffix}`;
let admin, member, provider, spare, personId;

await step("the admin adds a provider; members may not", async () => {
  const jwt = (await ok(anon.login({ username_or_email: adminName, password: adminPassword }))).jwt;
  admin = client(jwt);
  const memberJwt = (await ok(anon.register({ username: memberName, password: "oauth-walk-1", password_verify: "oauth-walk-1" }))).jwt;
  member = client(memberJwt);
  const form = {
    display_name: `Test OIDC ${suffix}`,
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/me`,
    id_claim: "sub",
    client_id: clientId,
    client_secret: secret,
    scopes: "openid email",
    auto_verify_email: true,
    use_pkce: true,
  };
  await fails(member.createOAuthProvider(form), "not_an_admin");
  provider = await ok(admin.createOAuthProvider(form));
  assert.equal(provider.client_secret, undefined, "the secret never leaves");
  assert.equal(provider.enabled, true);
  assert.equal(provider.account_linking_enabled, false);
  await fails(admin.createOAuthProvider(form), "already_exists");
  spare = await ok(admin.createOAuthProvider({ ...form, client_id: `spare-${suffix}`, display_name: "Spare" }));
});

await step("the site lists the enabled providers; admins read their settings", async () => {
  const site = await ok(anon.getSite());
  const shown = site.oauth_providers.find((p) => p.id === provider.id);
  assert.deepEqual(Object.keys(shown).sort(), ["authorization_endpoint", "client_id", "display_name", "id", "scopes", "use_pkce"]);
  assert.deepEqual(site.admin_oauth_providers, [], "only admins read the settings");
  const adminSite = await ok(admin.getSite());
  const full = adminSite.admin_oauth_providers.find((p) => p.id === provider.id);
  assert.equal(full.token_endpoint, `${issuer}/token`);
  assert.equal(JSON.stringify(adminSite).includes(secret), false);
});

await step("registration through the provider closed: oauth_registration_closed", async () => {
  await ok(admin.editSite({ oauth_registration: false }));
  assert.equal((await ok(anon.getSite())).site_view.local_site.oauth_registration, false);
  const { code, verifier } = await authorize(provider, login);
  await fails(
    anon.authenticateWithOAuth({ code, oauth_provider_id: provider.id, redirect_uri: redirectUri, pkce_code_verifier: verifier, username: newName }),
    "oauth_registration_closed",
  );
});

await step("a new member signs up through the provider", async () => {
  await ok(admin.editSite({ oauth_registration: true }));
  assert.equal((await ok(anon.getSite())).site_view.local_site.oauth_registration, true);
  let { code, verifier } = await authorize(provider, login);
  await fails(
    anon.authenticateWithOAuth({ code, oauth_provider_id: provider.id, redirect_uri: redirectUri, pkce_code_verifier: verifier }),
    "registration_username_required",
  );
  ({ code, verifier } = await authorize(provider, login));
  const answer = await ok(
    anon.authenticateWithOAuth({ code, oauth_provider_id: provider.id, redirect_uri: redirectUri, pkce_code_verifier: verifier, username: newName, show_nsfw: true }),
  );
  assert.ok(answer.jwt);
  const me = await ok(client(answer.jwt).getMyUser());
  assert.equal(me.local_user_view.person.name, newName);
  assert.equal(me.local_user_view.local_user.email, `${login}@oidc.test`);
  assert.equal(me.local_user_view.local_user.email_verified, true, "the provider vouched for it");
  assert.equal(me.local_user_view.local_user.show_nsfw, true);
  personId = me.local_user_view.person.id;
});

await step("signing in again finds the same account", async () => {
  const { code, verifier } = await authorize(provider, login);
  const answer = await ok(
    anon.authenticateWithOAuth({ code, oauth_provider_id: provider.id, redirect_uri: redirectUri, pkce_code_verifier: verifier, username: "ignored_name" }),
  );
  const me = await ok(client(answer.jwt).getMyUser());
  assert.equal(me.local_user_view.person.id, personId);
  // The account has no password of its own.
  await fails(anon.login({ username_or_email: newName, password: "!oauth" }), "incorrect_login");
});

await step("a wrong, reused or unproven code: oauth_authorization_invalid", async () => {
  const base = { oauth_provider_id: provider.id, redirect_uri: redirectUri };
  await fails(anon.authenticateWithOAuth({ ...base, code: "not-a-code", pkce_code_verifier: "v".repeat(43) }), "oauth_authorization_invalid");
  const { code, verifier } = await authorize(provider, login);
  await fails(anon.authenticateWithOAuth({ ...base, code }), "oauth_authorization_invalid");
  const other = await authorize(provider, login);
  await fails(anon.authenticateWithOAuth({ ...base, code: other.code, pkce_code_verifier: verifier }), "oauth_authorization_invalid");
  const fresh = await authorize(provider, login);
  await ok(anon.authenticateWithOAuth({ ...base, code: fresh.code, pkce_code_verifier: fresh.verifier }));
  await fails(anon.authenticateWithOAuth({ ...base, code: fresh.code, pkce_code_verifier: fresh.verifier }), "oauth_authorization_invalid");
  await fails(anon.authenticateWithOAuth({ ...base, oauth_provider_id: 999999, code, pkce_code_verifier: verifier }), "not_found");
});

await step("a banned member is not signed in", async () => {
  await ok(admin.banPerson({ person_id: personId, ban: true, reason: "oauth walk" }));
  try {
    const { code, verifier } = await authorize(provider, login);
    await fails(
      anon.authenticateWithOAuth({ code, oauth_provider_id: provider.id, redirect_uri: redirectUri, pkce_code_verifier: verifier }),
      "site_ban",
    );
  } finally {
    await ok(admin.banPerson({ person_id: personId, ban: false, reason: "" }));
  }
});

await step("applications: a sign-up through the provider is an application", async () => {
  const mode = (await ok(anon.getSite())).site_view.local_site.registration_mode;
  await ok(admin.editSite({ registration_mode: "require_application", application_question: "Why?" }));
  try {
    const someone = `applicant-${suffix}`;
    const applicant = `oaa_${suffix}`.slice(0, 20);
    let { code, verifier } = await authorize(provider, someone);
    const base = { oauth_provider_id: provider.id, redirect_uri: redirectUri, username: applicant };
    await fails(anon.authenticateWithOAuth({ ...base, code, pkce_code_verifier: verifier }), "registration_application_answer_required");
    ({ code, verifier } = await authorize(provider, someone));
    const applied = await ok(anon.authenticateWithOAuth({ ...base, code, pkce_code_verifier: verifier, answer: "through OIDC" }));
    assert.equal(applied.registration_created, true);
    assert.equal(applied.jwt, undefined);
    ({ code, verifier } = await authorize(provider, someone));
    await fails(anon.authenticateWithOAuth({ ...base, code, pkce_code_verifier: verifier }), "registration_application_is_pending");
    const cId = (await ok(anon.getPersonDetails({ username: applicant }))).person_view.person.id;
    const mine = (await ok(admin.getRegistrationApplication({ person_id: cId }))).registration_application;
    assert.equal(mine.registration_application.answer, "through OIDC");
  } finally {
    await ok(admin.editSite({ registration_mode: mode }));
  }
});

await step("a provider that answers wrong: oauth_login_failed", async () => {
  await ok(admin.editOAuthProvider({ id: provider.id, token_endpoint: `${issuer}/nowhere` }));
  try {
    const { code, verifier } = await authorize(provider, login);
    await fails(
      anon.authenticateWithOAuth({ code, oauth_provider_id: provider.id, redirect_uri: redirectUri, pkce_code_verifier: verifier }),
      "oauth_login_failed",
    );
  } finally {
    await ok(admin.editOAuthProvider({ id: provider.id, token_endpoint: `${issuer}/token` }));
  }
  await ok(admin.editOAuthProvider({ id: provider.id, userinfo_endpoint: `${issuer}/nowhere` }));
  try {
    const { code, verifier } = await authorize(provider, login);
    await fails(
      anon.authenticateWithOAuth({ code, oauth_provider_id: provider.id, redirect_uri: redirectUri, pkce_code_verifier: verifier }),
      "oauth_login_failed",
    );
  } finally {
    await ok(admin.editOAuthProvider({ id: provider.id, userinfo_endpoint: `${issuer}/me` }));
  }
});

await step("a disabled provider is not offered and signs nobody in", async () => {
  const edited = await ok(admin.editOAuthProvider({ id: provider.id, enabled: false, display_name: "Renamed" }));
  assert.equal(edited.display_name, "Renamed");
  assert.ok(edited.updated_at);
  assert.equal((await ok(anon.getSite())).oauth_providers.some((p) => p.id === provider.id), false);
  assert.equal((await ok(admin.getSite())).admin_oauth_providers.some((p) => p.id === provider.id), true);
  const { code, verifier } = await authorize(provider, login);
  await fails(
    anon.authenticateWithOAuth({ code, oauth_provider_id: provider.id, redirect_uri: redirectUri, pkce_code_verifier: verifier }),
    "oauth_authorization_invalid",
  );
  await fails(member.editOAuthProvider({ id: provider.id, enabled: true }), "not_an_admin");
  await ok(admin.editOAuthProvider({ id: provider.id, enabled: true }));
});

await step("the admin deletes a provider", async () => {
  await fails(member.deleteOAuthProvider({ id: spare.id }), "not_an_admin");
  assert.equal((await ok(admin.deleteOAuthProvider({ id: spare.id }))).success, true);
  await fails(admin.deleteOAuthProvider({ id: spare.id }), "not_found");
  await fails(admin.editOAuthProvider({ id: spare.id, display_name: "gone" }), "not_found");
  assert.equal((await ok(admin.getSite())).admin_oauth_providers.some((p) => p.id === spare.id), false);
});

finish({ providerId: provider.id });
