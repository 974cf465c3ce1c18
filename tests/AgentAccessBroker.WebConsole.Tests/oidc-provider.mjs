// A real, certified OpenID Provider (npm oidc-provider) for the console's single sign-on tests, on loopback only.
// Usage: node oidc-provider.mjs NODE_MODULES PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
// Any login name signs in (the package's development login page); the account's e-mail is NAME@example.test.
// The package is imported by path because this script does not live next to the node_modules folder .ci/run fills.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeModules, port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const { default: Provider } = await import(pathToFileURL(path.join(nodeModules, 'oidc-provider', 'lib', 'index.js')).href);
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@example.test`, email_verified: true, name: id };
      },
    };
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['browser-test-only'] },
});
const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();
