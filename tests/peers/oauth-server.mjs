#!/usr/bin/env node
// Frontdesk test peer: Zoom-shaped and Microsoft-shaped OAuth 2.0 servers on 127.0.0.1.
//
// One process runs two real authorization servers built on oidc-provider 9.x (an
// OpenID-certified implementation), so Frontdesk's sign-in code is tested against genuine
// PKCE, code exchange, refresh-token rotation and reuse detection rather than a mock that
// accepts anything.
//
//   node tests/peers/oauth-server.mjs --zoom-port 0 --microsoft-port 0
//
// When both servers listen it prints exactly one line on stdout:
//   {"zoom":"http://127.0.0.1:P1","microsoft":"http://127.0.0.1:P2"}
// and runs until SIGTERM/SIGINT. Logs go to stderr and never contain token values.
//
// What it mirrors (see shared/reference/providers.md §1.1, §1.2, §2.1):
//   Zoom       /oauth/authorize, /oauth/token, /oauth/revoke; a confidential client using
//              HTTP Basic auth and a public PKCE client; loopback redirects match on any port;
//              no `scope` parameter (scopes come from the app registration); single-use
//              refresh-token rotation; Server-to-Server `account_credentials`; error bodies
//              shaped {"reason","error"}; GET /v2/users/me and /v2/users/{email}.
//   Microsoft  /organizations/oauth2/v2.0/{authorize,token}; a public native client with a
//              loopback redirect (any port) and a custom-scheme deep link; `offline_access` is
//              needed for a refresh token; GET /v1.0/me.
//
// Where it differs from the real providers (tests must not rely on these):
//   - Login and consent complete at once for the "current account" (no UI); see
//     /interaction/:uid below.
//   - The authorization response also carries `iss` (RFC 9207); Zoom and Microsoft do not.
//   - Code-exchange errors use the RFC 6749 codes (a replayed Zoom code gives invalid_grant,
//     where Zoom answers invalid_request); error descriptions are generic.
//   - Reusing a rotated refresh token revokes the whole grant (the newest token too). Zoom
//     only rejects the old token; Microsoft does not revoke old refresh tokens at all.
//   - Microsoft access tokens live exactly 3600 s (Microsoft: 60-90 min) and error bodies lack
//     AADSTS codes. An unsupported `prompt` value (e.g. `create`) is refused.
//   - Token-endpoint parameters are read from the form body only (Zoom also took a query
//     string in older docs).
//   - Everything is kept in memory and lost when the process stops.

import { Buffer } from 'node:buffer';
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import process from 'node:process';

import Provider, { errors as oidcErrors, interactionPolicy } from 'oidc-provider';

// stdout carries exactly one line, the ready line. oidc-provider prints some notices with
// console.info; send those (and any stray console.log) to stderr.
console.info = console.error;
console.log = console.error;

const HOST = '127.0.0.1';
const DEFAULT_ACCOUNT = 'dr.lee@clinic.example';

// People the stand-in APIs know. Any other e-mail can still sign in (POST /test/login);
// it gets a profile derived from its address, but /v2/users/{email} answers 404 for it.
const KNOWN_ACCOUNTS = new Map([
  ['admin@clinic.example', { first: 'Clinic', last: 'Admin' }],
  ['dr.lee@clinic.example', { first: 'Mei', last: 'Lee' }],
  ['dr.okafor@clinic.example', { first: 'Chidi', last: 'Okafor' }],
]);

// Zoom Server-to-Server app: its owner answers GET /v2/users/me for an S2S token.
const ZOOM_S2S = {
  clientId: 's2s-client',
  clientSecret: 's2s-secret',
  accountId: 'acct-1',
  owner: 'admin@clinic.example',
  scope: 'meeting:write:meeting:admin',
};
const ZOOM_ACCOUNT_ID = 'acct-1';

// Scopes a Zoom user-level ("General") app is registered with. Zoom grants these whatever the
// authorization URL says, and Frontdesk sends no `scope` at all.
const ZOOM_USER_SCOPES = 'meeting:write:meeting meeting:update:meeting meeting:delete:meeting meeting:read:meeting user:read:user';
const MS_GRAPH_SCOPES = 'User.Read OnlineMeetings.ReadWrite';

const DAY = 24 * 60 * 60;

// --------------------------------------------------------------------------------------------
// Small helpers

function log(name, message) {
  process.stderr.write(`[oauth-peer ${new Date().toISOString()} ${name}] ${message}\n`);
}

function json(ctx, status, body) {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = body;
}

async function readBody(req, limit = 64 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

// JSON body of a /test/* request; an empty body reads as {}.
async function readJson(ctx) {
  const raw = (await readBody(ctx.req)).toString('utf8').trim();
  if (!raw) return {};
  const value = JSON.parse(raw);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SyntaxError('expected a JSON object');
  }
  return value;
}

function parseBasicAuth(header) {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    return undefined;
  }
}

function bearerToken(header) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function safeEqual(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

function isEmail(value) {
  return typeof value === 'string' && /^[^\s@]+@[^\s@]+$/.test(value);
}

function digest(label, value) {
  return createHash('sha256').update(`${label}:${value}`).digest();
}

function profileFor(email) {
  const known = KNOWN_ACCOUNTS.get(email);
  if (known) return { email, ...known };
  const local = email.split('@')[0].split(/[._-]+/).filter(Boolean);
  const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
  return {
    email,
    first: cap(local[0] ?? 'Test'),
    last: cap(local.slice(1).join(' ') || 'User'),
  };
}

// Stable, opaque-looking ids: Zoom user ids are 22 base64url characters, Graph ids are GUIDs.
function zoomUserId(email) {
  return digest('zoom-user', email).toString('base64url').slice(0, 22);
}

function graphUserId(email) {
  const h = digest('graph-user', email).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function zoomUser(email) {
  const p = profileFor(email);
  return {
    id: zoomUserId(email),
    first_name: p.first,
    last_name: p.last,
    display_name: `${p.first} ${p.last}`,
    email,
    type: 2,
    status: 'active',
    account_id: ZOOM_ACCOUNT_ID,
  };
}

function graphUser(email) {
  const p = profileFor(email);
  return {
    id: graphUserId(email),
    displayName: `${p.first} ${p.last}`,
    givenName: p.first,
    surname: p.last,
    mail: email,
    userPrincipalName: email,
  };
}

// --------------------------------------------------------------------------------------------
// Storage: one in-memory store per server.
//
// oidc-provider's bundled MemoryAdapter shares one module-level LRU (1000 entries) between all
// providers in a process and cannot list its entries. This store is per server, never evicts
// live entries, and can enumerate them, which the /test/* endpoints need (revoke every grant of
// an account, destroy every access token).

class Store {
  #entries = new Map(); // `${model}:${id}` -> { model, id, payload, expiresAt }

  adapterFor(model) {
    return new StoreAdapter(this, model);
  }

  get(model, id) {
    const key = `${model}:${id}`;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  set(model, id, payload, expiresIn) {
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
    this.#entries.set(`${model}:${id}`, { model, id, payload, expiresAt });
  }

  delete(model, id) {
    return this.#entries.delete(`${model}:${id}`);
  }

  // Live entries, optionally of one model only.
  * list(model) {
    const now = Date.now();
    for (const entry of [...this.#entries.values()]) {
      if (entry.expiresAt <= now) {
        this.#entries.delete(`${entry.model}:${entry.id}`);
      } else if (model === undefined || entry.model === model) {
        yield entry;
      }
    }
  }

  // Deletes the grant and everything issued from it (codes, access and refresh tokens).
  revokeGrant(grantId) {
    let removed = 0;
    for (const entry of this.list()) {
      if (entry.payload.grantId === grantId || (entry.model === 'Grant' && entry.id === grantId)) {
        this.delete(entry.model, entry.id);
        removed += 1;
      }
    }
    return removed;
  }
}

// The adapter interface oidc-provider calls for each model (AccessToken, Grant, Session, ...).
class StoreAdapter {
  constructor(store, model) {
    this.store = store;
    this.model = model;
  }

  async upsert(id, payload, expiresIn) {
    this.store.set(this.model, id, payload, expiresIn);
  }

  async find(id) {
    return this.store.get(this.model, id);
  }

  async findByUid(uid) {
    for (const entry of this.store.list(this.model)) {
      if (entry.payload.uid === uid) return entry.payload;
    }
    return undefined;
  }

  async findByUserCode(userCode) {
    for (const entry of this.store.list(this.model)) {
      if (entry.payload.userCode === userCode) return entry.payload;
    }
    return undefined;
  }

  async consume(id) {
    const payload = this.store.get(this.model, id);
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    this.store.delete(this.model, id);
  }

  async revokeByGrantId(grantId) {
    for (const entry of this.store.list(this.model)) {
      if (entry.payload.grantId === grantId) this.store.delete(this.model, entry.id);
    }
  }
}

// --------------------------------------------------------------------------------------------
// One server

function newStats() {
  return {
    token_requests: { authorization_code: 0, refresh_token: 0, account_credentials: 0 },
    refresh_failures: 0,
    revocations: 0,
    api_calls: 0,
    // Every access and refresh token handed out, so that a test can look for them elsewhere.
    issued: [],
  };
}

// Builds a provider for `spec` (see ZOOM / MICROSOFT below), binds it to 127.0.0.1:port and
// resolves with { name, url, server } once it listens.
async function startPeer(spec, port, jwks) {
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const issuer = `http://${HOST}:${server.address().port}`;
  const apiResource = `${issuer}${spec.apiPrefix}`;

  const store = new Store();
  const state = {
    account: DEFAULT_ACCOUNT,
    stats: newStats(),
    failures: { remaining: 0, status: 503, error: undefined },
  };

  // Login prompt: also ask for login when the browser session belongs to someone other than the
  // current test account (after POST /test/login), so the switch takes effect at once.
  const policy = interactionPolicy.base();
  policy.get('login').checks.add(new interactionPolicy.Check(
    'test_account_switched',
    'the current test account changed',
    (ctx) => (ctx.oidc.session.accountId && ctx.oidc.session.accountId !== state.account
      ? interactionPolicy.Check.REQUEST_PROMPT
      : interactionPolicy.Check.NO_NEED_TO_PROMPT),
  ));
  for (const name of spec.extraPrompts ?? []) {
    policy.add(new interactionPolicy.Prompt({ name, requestable: true }));
  }

  const provider = new Provider(issuer, {
    adapter: (model) => store.adapterFor(model),
    clients: spec.clients,
    jwks,
    // Cookies of both servers share the host 127.0.0.1 (cookies ignore ports), so each server
    // uses its own names; otherwise one cookie jar would carry the other server's session.
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      names: {
        session: `${spec.name}_session`,
        interaction: `${spec.name}_interaction`,
        resume: `${spec.name}_interaction_resume`,
      },
    },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => {
        const p = profileFor(id);
        return {
          sub: id, email: id, name: `${p.first} ${p.last}`, given_name: p.first, family_name: p.last, preferred_username: id,
        };
      },
    }),
    claims: spec.claims,
    scopes: spec.oidcScopes,
    responseTypes: ['code'],
    clientBasedCORS: () => false, // no browser-side (CORS) callers: the app calls from Rust
    routes: spec.routes,
    pkce: { required: () => true }, // S256 is the only method oidc-provider 9 accepts.
    rotateRefreshToken: () => true,
    issueRefreshToken: spec.issueRefreshToken,
    expiresWithSession: () => false, // tokens outlive the browser session, as at Zoom and Microsoft
    revokeGrantPolicy: () => true, // revoking a token ends the whole authorization
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy,
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false }, // neither provider's app-facing surface uses OIDC userinfo
      revocation: {
        enabled: spec.routes.revocation !== undefined,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId, // own tokens only
      },
      clientCredentials: { enabled: spec.clientCredentials === true },
      // Resource indicators give opaque access tokens for the stand-in API, carrying its scopes
      // (Zoom's meeting:* or Graph's User.Read ...), with audience = that API's base URL.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => apiResource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== apiResource) throw new oidcErrors.InvalidTarget();
          return { scope: spec.apiScopes, accessTokenFormat: 'opaque', accessTokenTTL: 3600 };
        },
      },
    },
    ttl: {
      AccessToken: 3600,
      ClientCredentials: 3600,
      AuthorizationCode: spec.codeTTL,
      RefreshToken: 90 * DAY,
      Grant: 365 * DAY,
      Session: 14 * DAY,
      Interaction: 3600,
      IdToken: 3600,
    },
  });

  const staticScopes = new Set(spec.oidcScopes);
  const resourceScopes = new Set(spec.apiScopes.split(' '));

  // Provider events: errors only, never token values (descriptions and details are generic).
  provider.on('server_error', (_ctx, err) => log(spec.name, `server_error: ${err.stack ?? err}`));
  for (const event of ['grant.error', 'authorization.error', 'revocation.error']) {
    provider.on(event, (_ctx, err) => {
      log(spec.name, `${event}: ${err.error}: ${err.error_description}${err.error_detail ? ` (${err.error_detail})` : ''}`);
    });
  }

  // 1. Request log and a catch-all for faults in the middlewares below.
  provider.use(async (ctx, next) => {
    const started = Date.now();
    try {
      await next();
    } catch (err) {
      if (err.expose && err.statusCode && err.error) {
        // An oidc-provider error raised in a middleware here (e.g. an expired interaction).
        log(spec.name, `${err.error}: ${err.error_description} on ${ctx.method} ${ctx.path}`);
        json(ctx, err.statusCode, { error: err.error, error_description: err.error_description });
      } else {
        log(spec.name, `peer fault on ${ctx.method} ${ctx.path}: ${err.stack ?? err}`);
        json(ctx, 500, { error: 'server_error', error_description: 'test peer fault' });
      }
    }
    const extra = ctx.state.grantType ? ` grant_type=${ctx.state.grantType}` : '';
    // Path only: query strings carry codes, states and challenges.
    log(spec.name, `${ctx.method} ${ctx.path}${extra} -> ${ctx.status} (${Date.now() - started} ms)`);
  });

  // 2. Test control endpoints.
  provider.use(async (ctx, next) => {
    if (!ctx.path.startsWith('/test/')) return next();
    const route = `${ctx.method} ${ctx.path}`;
    let body = {};
    if (ctx.method === 'POST') {
      try {
        body = await readJson(ctx);
      } catch (err) {
        return json(ctx, 400, { error: 'invalid_request', error_description: `bad JSON body: ${err.message}` });
      }
    }
    switch (route) {
      case 'GET /test/stats':
        return json(ctx, 200, state.stats);
      case 'POST /test/reset':
        state.stats = newStats();
        state.failures = { remaining: 0, status: 503, error: undefined };
        return json(ctx, 200, { ok: true });
      case 'POST /test/login':
        if (!isEmail(body.account)) {
          return json(ctx, 400, { error: 'invalid_request', error_description: 'account must be an e-mail address' });
        }
        state.account = body.account;
        return json(ctx, 200, { ok: true, account: state.account });
      case 'POST /test/revoke-account': {
        if (!isEmail(body.account)) {
          return json(ctx, 400, { error: 'invalid_request', error_description: 'account must be an e-mail address' });
        }
        let grants = 0;
        for (const entry of store.list('Grant')) {
          if (entry.payload.accountId === body.account) {
            store.revokeGrant(entry.id);
            grants += 1;
          }
        }
        return json(ctx, 200, { ok: true, revoked_grants: grants });
      }
      case 'POST /test/expire-access-tokens': {
        let destroyed = 0;
        for (const model of ['AccessToken', 'ClientCredentials']) {
          for (const entry of store.list(model)) {
            store.delete(model, entry.id);
            destroyed += 1;
          }
        }
        return json(ctx, 200, { ok: true, destroyed });
      }
      case 'POST /test/fail-token': {
        const status = body.status ?? 503;
        const count = body.count ?? 1;
        if (!Number.isInteger(status) || status < 400 || status > 599 || !Number.isInteger(count) || count < 0) {
          return json(ctx, 400, { error: 'invalid_request', error_description: 'status must be 400-599 and count a non-negative integer' });
        }
        state.failures = { remaining: count, status, error: typeof body.error === 'string' ? body.error : undefined };
        return json(ctx, 200, { ok: true, ...state.failures });
      }
      default:
        return json(ctx, 404, { error: 'not_found', error_description: `no test endpoint ${route}` });
    }
  });

  // 3. API stand-in (GET /v2/users/... or GET /v1.0/me).
  provider.use(async (ctx, next) => {
    if (ctx.path !== spec.apiPrefix && !ctx.path.startsWith(`${spec.apiPrefix}/`)) return next();
    state.stats.api_calls += 1;
    const value = bearerToken(ctx.get('authorization'));
    let token;
    if (value) {
      token = (await provider.AccessToken.find(value)) ?? (await provider.ClientCredentials.find(value));
      if (token && token.aud !== apiResource) token = undefined;
    }
    return spec.api(ctx, { token, hadToken: value !== undefined });
  });

  // 4. Logging in without a browser. The authorization endpoint redirects to
  //    /interaction/:uid; this completes login and consent at once for the current account,
  //    granting everything requested, and answers 303 to the resume URL. A client that only
  //    follows redirects with a cookie jar thus gets from the authorize URL to the redirect URI.
  provider.use(async (ctx, next) => {
    if (ctx.method !== 'GET' || !/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { params, prompt } = details;
    const accountId = state.account;

    // The browser is signed in as someone else (POST /test/login switched accounts). On resume
    // oidc-provider would answer with an auto-submitting logout form, which a redirect-only
    // client cannot follow; end that browser session here instead, as the logout would.
    if (details.session?.accountId && details.session.accountId !== accountId) {
      const session = await provider.Session.findByUid(details.session.uid);
      if (session) await session.destroy();
      delete details.session;
      await details.save(details.exp - Math.floor(Date.now() / 1000));
    }

    let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    if (grant && grant.accountId !== accountId) grant = undefined; // the account was switched
    grant ??= new provider.Grant({ accountId, clientId: params.client_id });

    const requested = String(params.scope ?? '').split(' ').filter(Boolean);
    const oidc = requested.filter((s) => staticScopes.has(s));
    if (oidc.length) grant.addOIDCScope(oidc.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const api = requested.filter((s) => resourceScopes.has(s));
    if (api.length) grant.addResourceScope(apiResource, api.join(' '));
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();

    const result = { login: { accountId }, consent: { grantId } };
    for (const name of spec.extraPrompts ?? []) result[name] = {};
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(returnTo);
  });

  // 5. Authorization endpoint: provider-specific request adjustments (GET only; Frontdesk
  //    opens the authorize URL in a browser).
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === spec.routes.authorization && spec.adjustAuthorizationQuery) {
      const query = { ...ctx.query };
      if (spec.adjustAuthorizationQuery(query)) ctx.query = query;
    }
    return next();
  });

  // 5b. Every token this server issues is appended to $FRONTDESK_ISSUED_TOKENS (one per line)
  // when set, so that the test command can scan every log and IPC capture of the whole suite
  // for token values afterwards.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== spec.routes.token || !process.env.FRONTDESK_ISSUED_TOKENS) return;
    const body = ctx.body;
    if (!body || typeof body !== 'object') return;
    const issued = ['access_token', 'refresh_token', 'id_token'].map((k) => body[k]).filter((v) => typeof v === 'string');
    if (issued.length > 0) appendFileSync(process.env.FRONTDESK_ISSUED_TOKENS, `${issued.join('\n')}\n`);
  });

  // 6. Token endpoint: counting, failure injection, Zoom S2S, Zoom-shaped responses.
  provider.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== spec.routes.token) return next();

    // Read the form body here to learn grant_type; oidc-provider then parses the buffered copy
    // (it logs one "already parsed request body" warning the first time).
    const raw = await readBody(ctx.req);
    ctx.req.body = raw;
    const form = ctx.is('application/x-www-form-urlencoded') ? new URLSearchParams(raw.toString('utf8')) : new URLSearchParams();
    const grantType = form.get('grant_type') ?? '(none)';
    ctx.state.grantType = grantType;
    state.stats.token_requests[grantType] = (state.stats.token_requests[grantType] ?? 0) + 1;

    if (state.failures.remaining > 0) {
      state.failures.remaining -= 1;
      const { status } = state.failures;
      const error = state.failures.error
        ?? (status === 503 ? 'temporarily_unavailable' : status >= 500 ? 'server_error' : 'invalid_request');
      if (grantType === 'refresh_token') state.stats.refresh_failures += 1;
      return json(ctx, status, spec.errorBody(error, 'injected failure (test peer)'));
    }

    if (spec.handleToken && await spec.handleToken(ctx, { provider, form, grantType, apiResource })) return undefined;

    await next();

    if (grantType === 'refresh_token' && ctx.status >= 400) state.stats.refresh_failures += 1;
    spec.shapeTokenResponse?.(ctx, { grantType, issuer });
    const issued = ctx.status === 200 && ctx.body && typeof ctx.body === 'object' ? ctx.body : {};
    for (const token of [issued.access_token, issued.refresh_token]) if (token) state.stats.issued.push(token);
    return undefined;
  });

  // 7. Revocation endpoint (Zoom): count, and answer Zoom's {"status":"success"}.
  if (spec.routes.revocation) {
    provider.use(async (ctx, next) => {
      if (ctx.method !== 'POST' || ctx.path !== spec.routes.revocation) return next();
      state.stats.revocations += 1;
      await next();
      if (ctx.status === 200) {
        json(ctx, 200, { status: 'success' });
      } else if (ctx.body && typeof ctx.body === 'object' && ctx.body.error) {
        ctx.body = spec.errorBody(ctx.body.error, ctx.body.error_description);
      }
      return undefined;
    });
  }

  server.on('request', provider.callback());
  return { name: spec.name, url: issuer, server };
}

// --------------------------------------------------------------------------------------------
// Zoom

const zoomRedirects = ['http://127.0.0.1/callback'];

const ZOOM = {
  name: 'zoom',
  apiPrefix: '/v2',
  apiScopes: `${ZOOM_USER_SCOPES} ${ZOOM_S2S.scope}`,
  oidcScopes: ['openid', 'offline_access'],
  codeTTL: 300, // Zoom: 5 minutes, single use
  clientCredentials: true, // for the Server-to-Server client's tokens
  routes: {
    authorization: '/oauth/authorize',
    token: '/oauth/token',
    revocation: '/oauth/revoke',
    jwks: '/oauth/jwks',
  },
  clients: [
    {
      // A Zoom OAuth app's confidential client id: Basic auth on the token endpoint.
      // application_type 'native' is what makes oidc-provider match loopback redirect URIs on
      // any port (RFC 8252 §7.3), as Zoom does; oidc-provider accepts it with client_secret_basic.
      client_id: 'zoom-client',
      client_secret: 'zoom-secret',
      application_type: 'native',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: zoomRedirects,
    },
    {
      // Zoom's public PKCE client id: no secret, client_id in the form body.
      client_id: 'zoom-public',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: zoomRedirects,
    },
    {
      // The Server-to-Server app. Registered so that its tokens are real ClientCredentials
      // tokens the provider can look up; requests are handled by ZOOM.handleToken, and a plain
      // grant_type=client_credentials (which Zoom does not offer) is refused there.
      client_id: ZOOM_S2S.clientId,
      client_secret: ZOOM_S2S.clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  // Zoom grants every token the client may have a refresh token, with or without offline_access.
  issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),

  // Zoom takes scopes from the app registration and Frontdesk sends none. oidc-provider 9 itself
  // accepts an authorization request without `scope` (plain OAuth 2.0; `openid` is not needed),
  // but then issues tokens with an empty scope. To get Zoom's token responses, which list the
  // registered scopes, a request without `scope` is given the registered ones here.
  adjustAuthorizationQuery(query) {
    if (typeof query.scope === 'string' && query.scope.trim()) return false;
    query.scope = ZOOM_USER_SCOPES;
    return true;
  },

  errorBody: (error, description) => ({ reason: description ?? error, error }),

  // Server-to-Server: grant_type=account_credentials&account_id=...; Basic client auth.
  async handleToken(ctx, { provider, form, grantType, apiResource }) {
    if (grantType === 'client_credentials') {
      json(ctx, 400, { reason: 'Unsupported grant type', error: 'unsupported_grant_type' });
      return true;
    }
    if (grantType !== 'account_credentials') return false;

    const bad = () => json(ctx, 400, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
    const creds = parseBasicAuth(ctx.get('authorization'));
    const client = creds ? await provider.Client.find(creds.id) : undefined;
    if (!client || !client.grantTypeAllowed('client_credentials') || !safeEqual(client.clientSecret, creds.secret)) {
      bad();
      return true;
    }
    if (form.get('account_id') !== ZOOM_S2S.accountId) {
      bad();
      return true;
    }
    const token = new provider.ClientCredentials({
      client,
      scope: ZOOM_S2S.scope,
      resourceServer: new provider.ResourceServer(apiResource, {
        scope: ZOOM_S2S.scope, accessTokenFormat: 'opaque', accessTokenTTL: 3600,
      }),
    });
    const value = await token.save();
    json(ctx, 200, {
      access_token: value,
      token_type: 'bearer',
      expires_in: token.expiration,
      scope: ZOOM_S2S.scope,
      api_url: ctx.origin,
    });
    return true;
  },

  // Zoom's shapes: {"access_token",...,"token_type":"bearer","api_url"} and
  // {"reason","error"}; a rejected refresh token reads "Invalid Token!" as at Zoom.
  shapeTokenResponse(ctx, { grantType, issuer }) {
    const body = ctx.body;
    if (!body || typeof body !== 'object') return;
    if (ctx.status === 200 && body.access_token) {
      ctx.body = { ...body, token_type: String(body.token_type).toLowerCase(), api_url: issuer };
    } else if (body.error) {
      const reason = grantType === 'refresh_token' && body.error === 'invalid_grant' ? 'Invalid Token!' : body.error_description;
      ctx.body = ZOOM.errorBody(body.error, reason);
    }
  },

  // GET /v2/users/me and GET /v2/users/{email|id}, following Zoom's documented behaviour.
  api(ctx, { token }) {
    if (!token) return json(ctx, 401, { code: 124, message: 'Invalid access token.' });
    const match = /^\/v2\/users\/([^/]+)$/.exec(ctx.path);
    if (ctx.method !== 'GET' || !match) {
      return json(ctx, 404, { code: 404, message: 'Not Found' });
    }
    const s2s = token.kind === 'ClientCredentials';
    const self = s2s ? ZOOM_S2S.owner : token.accountId;
    const wanted = decodeURIComponent(match[1]);
    if (wanted === 'me') return json(ctx, 200, zoomUser(self));
    if (!s2s) {
      // A user-level token may read only its own user.
      if (wanted === self || wanted === zoomUserId(self)) return json(ctx, 200, zoomUser(self));
      return json(ctx, 400, { code: 200, message: 'No permission.' });
    }
    const email = [...KNOWN_ACCOUNTS.keys()].find((e) => e === wanted.toLowerCase() || zoomUserId(e) === wanted);
    if (!email) return json(ctx, 404, { code: 1001, message: `User does not exist: ${wanted}.` });
    return json(ctx, 200, zoomUser(email));
  },
};

// --------------------------------------------------------------------------------------------
// Microsoft

const MICROSOFT = {
  name: 'microsoft',
  apiPrefix: '/v1.0',
  apiScopes: MS_GRAPH_SCOPES,
  oidcScopes: ['openid', 'offline_access', 'profile', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    email: ['email'],
  },
  codeTTL: 600, // Microsoft: about 10 minutes
  routes: {
    authorization: '/organizations/oauth2/v2.0/authorize',
    token: '/organizations/oauth2/v2.0/token',
    jwks: '/organizations/discovery/v2.0/keys',
  },
  // Microsoft's documented prompt values beyond oidc-provider's login/consent/none.
  extraPrompts: ['select_account'],
  clients: [
    {
      // A "Mobile and desktop applications" registration: public, loopback on any port, plus
      // Frontdesk's deep link. oidc-provider 9.13 accepts any non-http(s) scheme for native
      // clients (it has no reverse-domain rule), so no override is needed for frontdesk://.
      client_id: 'ms-client',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback', 'frontdesk://oauth/microsoft/callback'],
    },
  ],
  // As at Microsoft: a refresh token only when offline_access was granted. Refresh tokens rotate
  // on every use here and a reused one is refused; Microsoft does not revoke old refresh tokens
  // (oidc-provider's stricter behaviour is kept on purpose: the app must store the newest one).
  issueRefreshToken: (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),

  // oidc-provider follows OpenID Connect Core §11 and silently drops offline_access unless the
  // request also says prompt=consent; Microsoft honours offline_access without it. Adding
  // `consent` to such requests changes nothing else: native clients always go through consent,
  // which the interaction middleware completes at once.
  adjustAuthorizationQuery(query) {
    const scopes = String(query.scope ?? '').split(' ');
    const prompts = String(query.prompt ?? '').split(' ').filter(Boolean);
    if (!scopes.includes('offline_access') || prompts.includes('consent') || prompts.includes('none')) return false;
    query.prompt = [...prompts, 'consent'].join(' ');
    return true;
  },

  errorBody: (error, description) => ({ error, error_description: description ?? error }),

  // GET /v1.0/me, with Graph's error bodies.
  api(ctx, { token, hadToken }) {
    if (!token) {
      return json(ctx, 401, {
        error: {
          code: 'InvalidAuthenticationToken',
          message: hadToken ? 'Access token has expired or is not yet valid.' : 'Access token is empty.',
        },
      });
    }
    if (ctx.method !== 'GET' || ctx.path !== '/v1.0/me') {
      return json(ctx, 404, { error: { code: 'ResourceNotFound', message: 'Resource not found for the segment.' } });
    }
    if (!String(token.scope ?? '').split(' ').includes('User.Read')) {
      return json(ctx, 403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } });
    }
    return json(ctx, 200, graphUser(token.accountId));
  },
};

// --------------------------------------------------------------------------------------------
// Main

function parseArgs(argv) {
  const ports = { zoom: 0, microsoft: 0 };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const key = { '--zoom-port': 'zoom', '--microsoft-port': 'microsoft' }[flag];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isInteger(value) || value < 0 || value > 65535) {
      throw new Error(`usage: oauth-server.mjs [--zoom-port N] [--microsoft-port M] (bad argument: ${flag})`);
    }
    ports[key] = value;
    i += 1;
  }
  return ports;
}

// One RSA signing key per process, for Microsoft ID tokens (oidc-provider otherwise falls back
// to its published development keys).
function signingKeys() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }] };
}

async function main() {
  let ports;
  try {
    ports = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }

  const jwks = signingKeys();
  const peers = await Promise.all([
    startPeer(ZOOM, ports.zoom, jwks),
    startPeer(MICROSOFT, ports.microsoft, jwks),
  ]);
  const [zoom, microsoft] = peers;

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    log('main', `${signal}: stopping`);
    for (const { server } of peers) {
      server.close();
      server.closeAllConnections();
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  log('main', `zoom on ${zoom.url}, microsoft on ${microsoft.url} (pid ${process.pid})`);
  process.stdout.write(`${JSON.stringify({ zoom: zoom.url, microsoft: microsoft.url })}\n`);
}

main().catch((err) => {
  process.stderr.write(`oauth-server failed to start: ${err.stack ?? err}\n`);
  process.exit(1);
});
