// Production sign-in: the OAuth 2.0 authorization code flow with PKCE (RFC 7636) against the
// configured OIDC provider. The console is a public client: no secret, a one-time verifier kept
// in sessionStorage, and the provider's token becomes the bearer token fabu verifies.
import { type User, api } from './api';
import { session } from './session';

interface OidcConfig {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  scope: string;
  token: 'access_token' | 'id_token';
}

const PENDING = 'fabu.oidc';
const redirectUri = () => `${location.origin}/`;

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function config(): Promise<OidcConfig> {
  const c = await api<{ oidc?: OidcConfig | null }>('/auth/config');
  if (!c.oidc) throw new Error('AUTH_OIDC_AUTHORIZE_URL, AUTH_OIDC_TOKEN_URL and AUTH_OIDC_CLIENT_ID are not set');
  return c.oidc;
}

export async function startOidcLogin(): Promise<void> {
  const oidc = await config();
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, back: location.hash }));
  const url = new URL(oidc.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: oidc.clientId,
    redirect_uri: redirectUri(),
    scope: oidc.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** On the way back from the provider (?code=&state=): exchange the code, sign in, clean the URL. */
export async function finishOidcLogin(): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as {
    verifier: string;
    state: string;
    back: string;
  } | null;
  if (!code || !pending) return false;
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', `/${pending.back || '#/'}`);
  if (params.get('state') !== pending.state) throw new Error('the sign-in answer does not match the request (state)');
  const oidc = await config();
  const res = await fetch(oidc.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: oidc.clientId,
      code_verifier: pending.verifier,
    }),
  });
  if (!res.ok) throw new Error(`the provider refused the sign-in (${res.status})`);
  const token = ((await res.json()) as Record<string, string | undefined>)[oidc.token];
  if (!token) throw new Error(`the provider gave no ${oidc.token}`);
  const user = await fetch('/api/auth/me', { headers: { Authorization: `Bearer ${token}` } });
  if (!user.ok) throw new Error(`fabu refused the provider's token (${user.status})`);
  session.signIn(token, (await user.json()) as User);
  return true;
}
