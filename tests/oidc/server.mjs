// A real OpenID Connect provider for the OAuth sign-in tests: panva's oidc-provider (an
// OpenID-certified implementation), on loopback, with one confidential client that must use
// PKCE (S256). Its development interactions sign in any login name with any password; the
// person's `sub` is the login name, and the email claims say `<login>@oidc.test`, verified.
//
//   node server.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI [REDIRECT_URI…]
//
// Prints "ready <issuer>" once it listens.
import Provider from "oidc-provider";

const [port, clientId, clientSecret, ...redirectUris] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["preferred_username"] },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@oidc.test`,
          email_verified: true,
          preferred_username: id,
        };
      },
    };
  },
  // The development keys and cookie secrets are fine on loopback for a test's lifetime.
  cookies: { keys: ["moot-oidc-test-cookie-key"] },
});
provider.proxy = false;

provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
