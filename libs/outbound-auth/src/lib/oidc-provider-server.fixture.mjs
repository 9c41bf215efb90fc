// A real OAuth 2.0 authorization server (oidc-provider) on 127.0.0.1 for tests, run in its own
// process because oidc-provider is ESM-only. Reads its clients from OIDC_FIXTURE_CLIENTS (JSON),
// prints one JSON line with its endpoints, and serves GET /__stats with what it has seen.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const clients = JSON.parse(process.env.OIDC_FIXTURE_CLIENTS ?? '[]');
const lifetimeSeconds = new Map(clients.map((client) => [client.clientId, client.tokenLifetimeSeconds]));
const tokenRequests = [];

const server = createServer();
await new Promise((listening) => server.listen(0, '127.0.0.1', listening));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: clients.map((client) => ({
    client_id: client.clientId,
    client_secret: client.clientSecret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      // `audience` (as Auth0 and others name it) selects the resource server, like RFC 8707 `resource`.
      defaultResource: (ctx) => ctx.oidc.body?.audience,
      getResourceServerInfo: (ctx, resource, client) => ({
        audience: resource,
        scope: 'deliveries:write',
        accessTokenFormat: 'opaque',
        accessTokenTTL: lifetimeSeconds.get(client.clientId) ?? 600,
      }),
    },
  },
  scopes: ['deliveries:write'],
  ttl: { ClientCredentials: (ctx, token, client) => lifetimeSeconds.get(client.clientId) ?? 600 },
});

provider.use(async (ctx, next) => {
  if (ctx.method === 'GET' && ctx.path === '/__stats') {
    ctx.body = { tokenRequests };
    return;
  }
  await next();
  if (ctx.method === 'POST' && ctx.path === '/token') {
    const body = ctx.oidc?.body ?? {};
    tokenRequests.push({
      status: ctx.status,
      authorizationScheme: (ctx.get('authorization').split(' ')[0] ?? '').toLowerCase(),
      contentType: ctx.get('content-type'),
      grantType: body.grant_type,
      scope: body.scope,
      audience: body.audience,
      clientId: ctx.oidc?.client?.clientId,
      remoteAddress: ctx.req.socket.remoteAddress,
    });
  }
});

server.on('request', provider.callback());
process.stdout.write(
  `${JSON.stringify({
    issuer,
    tokenUrl: `${issuer}/token`,
    introspectionUrl: `${issuer}/token/introspection`,
    revocationUrl: `${issuer}/token/revocation`,
  })}\n`,
);
process.on('SIGTERM', () => process.exit(0));
