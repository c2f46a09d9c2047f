// A relying party built on openid-client (OpenID Certified), driven by the Python test:
// it prints the authorization URL as a JSON line, reads the callback URL the browser was
// sent to from standard input, then redeems the code (PKCE, nonce and the ID token's
// signature and claims are checked by openid-client) and fetches userinfo.
import * as client from "openid-client";
import * as readline from "node:readline";

const { ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SCOPE } = process.env;
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

const config = await client.discovery(
  new URL(ISSUER), CLIENT_ID, CLIENT_SECRET, client.ClientSecretBasic(CLIENT_SECRET),
  { execute: [client.allowInsecureRequests] }, // the test server is plain http on 127.0.0.1
);
const verifier = client.randomPKCECodeVerifier();
const nonce = client.randomNonce();
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: REDIRECT_URI, scope: SCOPE, nonce,
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: "S256",
  acr_values: "urn:sabt:acr:password+otp",
});
console.log(JSON.stringify({ authorization_url: url.href }));

const callback = (await lines.next()).value;
const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
  pkceCodeVerifier: verifier, expectedNonce: nonce, idTokenExpected: true,
});
const claims = tokens.claims();
const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
const header = JSON.parse(Buffer.from(tokens.id_token.split(".")[0], "base64url"));
console.log(JSON.stringify({ claims, userinfo, header }));
process.exit(0);
