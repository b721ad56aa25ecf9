// Production sign-in in a real Chromium: the console sends the official to the configured OIDC
// provider (authorization code + PKCE), exchanges the code across origins (allowed by its CSP),
// and fabu accepts the provider's token. The provider is a small one of the test's own, on
// loopback, signing RS256 tokens that fabu checks against its JWKS.
import { createHash, randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { type Console, openConsole } from '../support/browser.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';

const CLIENT_ID = 'fabu-console';
const SIGNED_IN_AS = 'wangfang';
let e2e: E2E;
let ui: Console;
let provider: Server;
const seen: { authorize: URLSearchParams[]; token: URLSearchParams[] } = { authorize: [], token: [] };

async function startProvider(): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'RS256', use: 'sig' };
  const challenges = new Map<string, string>();
  provider = createServer((req, res) => {
    const url = new URL(req.url!, 'http://provider');
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (url.pathname === '/jwks') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    } else if (url.pathname === '/authorize') {
      // The official is already signed in at the provider: it answers with a code at once.
      seen.authorize.push(url.searchParams);
      const code = randomBytes(16).toString('hex');
      challenges.set(code, url.searchParams.get('code_challenge')!);
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.search = new URLSearchParams({ code, state: url.searchParams.get('state')! }).toString();
      res.writeHead(302, { Location: back.toString() }).end();
    } else if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        seen.token.push(form);
        const verifier = form.get('code_verifier') ?? '';
        const expected = challenges.get(form.get('code') ?? '');
        if (!expected || createHash('sha256').update(verifier).digest('base64url') !== expected) {
          res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"error":"invalid_grant"}');
          return;
        }
        void new SignJWT({})
          .setProtectedHeader({ alg: 'RS256', kid: 'test' })
          .setSubject(SIGNED_IN_AS)
          .setIssuer('https://sso.test')
          .setAudience('fabu')
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(privateKey)
          .then((token) => {
            res.setHeader('Content-Type', 'application/json');
            res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
          });
      });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const sso = await startProvider();
  e2e = await startE2E({
    AUTH_MODE: 'oidc',
    AUTH_JWKS_URL: `${sso}/jwks`,
    AUTH_ISSUER: 'https://sso.test',
    AUTH_AUDIENCE: 'fabu',
    AUTH_OIDC_AUTHORIZE_URL: `${sso}/authorize`,
    AUTH_OIDC_TOKEN_URL: `${sso}/token`,
    AUTH_OIDC_CLIENT_ID: CLIENT_ID,
  });
  ui = await openConsole(e2e);
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await e2e?.stop();
  await new Promise((resolve) => provider?.close(resolve));
});

describe('web console sign-in through the OIDC provider', () => {
  it('has no demo-user login in production', async () => {
    expect((await e2e.http('POST', '/api/auth/dev-login', { body: { username: 'admin' } })).status).toBe(404);
  });

  it('signs the official in with the code flow and PKCE, then works with the provider’s token', async () => {
    const page = await ui.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${e2e.url}/#/inbox/done`);
    await page.getByRole('button', { name: '通过统一身份认证登录' }).click();
    await page.getByTestId('signed-in').waitFor();
    expect(await page.getByTestId('signed-in').textContent()).toContain('王芳');
    // Back where the official started, with the code gone from the address bar.
    expect(new URL(page.url()).search).toBe('');
    expect(new URL(page.url()).hash).toBe('#/inbox/done');
    await page.locator('.tabs .tab.active', { hasText: '已办' }).waitFor();

    const [authorize] = seen.authorize;
    expect(authorize!.get('client_id')).toBe(CLIENT_ID);
    expect(authorize!.get('redirect_uri')).toBe(`${e2e.url}/`);
    expect(authorize!.get('code_challenge_method')).toBe('S256');
    expect(authorize!.get('scope')).toBe('openid profile');
    const [token] = seen.token;
    expect(token!.get('grant_type')).toBe('authorization_code');
    expect(token!.get('code_verifier')!.length).toBeGreaterThanOrEqual(43);

    // The token the console holds is the provider's, and fabu's API accepts it.
    const held = await page.evaluate<string>("JSON.parse(localStorage.getItem('fabu.session')).token");
    const me = await e2e.http('GET', '/api/auth/me', { token: held });
    expect(me.body).toMatchObject({ username: SIGNED_IN_AS });
    expect(errors).toEqual([]);
    await page.close();
  });
});
