// A real, certified OpenID Provider (npm oidc-provider) for the console's single sign-on tests, on loopback only.
// Usage: node oidc-provider.mjs NODE_MODULES PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI [MCP_RESOURCE JWKS_FILE]
// With MCP_RESOURCE (the MCP tests), it also issues JWT access tokens by the client credentials grant for any resource
// indicator (scope aab.access when asked for), to clients agent-a and agent-b (secret agent-secret), signed with the
// private keys in JWKS_FILE; an aab_task parameter at the token endpoint becomes the token's aab_task claim.
// Any login name signs in (the package's development login page); the account's e-mail is NAME@example.test.
// The package is imported by path because this script does not live next to the node_modules folder .ci/run fills.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeModules, port, clientId, clientSecret, redirectUri, mcpResource, jwksFile] = process.argv.slice(2);
const { default: Provider } = await import(pathToFileURL(path.join(nodeModules, 'oidc-provider', 'lib', 'index.js')).href);
const issuer = `http://127.0.0.1:${port}`;
const agentClients = mcpResource ? ['agent-a', 'agent-b'].map((id) => ({
  client_id: id,
  client_secret: 'agent-secret',
  redirect_uris: [],
  response_types: [],
  grant_types: ['client_credentials'],
  token_endpoint_auth_method: 'client_secret_post',
})) : [];
const mcpConfiguration = mcpResource ? {
  jwks: JSON.parse((await import('node:fs')).readFileSync(jwksFile, 'utf8')),
  extraParams: ['aab_task'],
  async extraTokenClaims(ctx) {
    const task = ctx?.oidc?.params?.aab_task ?? ctx?.oidc?.body?.aab_task;
    return task ? { aab_task: task } : undefined;
  },
} : {};
const mcpFeatures = mcpResource ? {
  clientCredentials: { enabled: true },
  resourceIndicators: {
    enabled: true,
    defaultResource: () => mcpResource,
    useGrantedResource: () => true,
    getResourceServerInfo: (ctx, resourceIndicator) => ({
      scope: 'aab.access',
      audience: resourceIndicator,
      accessTokenFormat: 'jwt',
      accessTokenTTL: 600,
      jwt: { sign: { alg: 'RS256' } },
    }),
  },
} : {};
const provider = new Provider(issuer, {
  ...mcpConfiguration,
  clients: [...agentClients, {
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
  features: { devInteractions: { enabled: true }, ...mcpFeatures },
  cookies: { keys: ['browser-test-only'] },
});
const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();
