import { Inject, Injectable } from '@nestjs/common';
import { type JWTVerifyGetKey, SignJWT, createRemoteJWKSet, jwtVerify } from 'jose';
import { FabuException } from '../common/problem.js';
import { type DirectoryUser, DirectoryRepository } from '../directory/directory.repository.js';
import { RUNTIME, type RuntimeSettings } from '../runtime.js';

const TOKEN_LIFETIME = '12h';

/** Bearer tokens: a local HMAC key in dev mode, the provider's JWKS in oidc mode; verification by jose. */
@Injectable()
export class AuthService {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
    private readonly directory: DirectoryRepository,
  ) {
    const env = runtime.config.env;
    if (env.AUTH_MODE === 'oidc') this.jwks = createRemoteJWKSet(new URL(env.AUTH_JWKS_URL!));
    else this.secret = new TextEncoder().encode(runtime.signingKey);
  }

  get devLoginEnabled(): boolean {
    return this.runtime.config.env.AUTH_MODE === 'dev';
  }

  /** Dev mode only: a token for a user of the directory. */
  async devLogin(username: string): Promise<{ token: string; user: DirectoryUser }> {
    if (!this.secret) throw new FabuException('NOT_FOUND', 'dev login is disabled outside AUTH_MODE=dev');
    const user = await this.directory.findUser(username);
    if (!user) {
      throw new FabuException('USER_NOT_FOUND', `no user ${username} in the directory`, [
        { path: 'username', message: 'unknown user' },
      ]);
    }
    const env = this.runtime.config.env;
    const token = await new SignJWT({ name: user.displayName })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.username)
      .setIssuer(env.AUTH_ISSUER)
      .setAudience(env.AUTH_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(TOKEN_LIFETIME)
      .sign(this.secret);
    return { token, user };
  }

  /** What the web console needs to sign someone in: the demo-user picker, or the OIDC provider's endpoints. */
  loginConfig() {
    const env = this.runtime.config.env;
    if (env.AUTH_MODE === 'dev') return { mode: 'dev' as const };
    const ready = env.AUTH_OIDC_AUTHORIZE_URL && env.AUTH_OIDC_TOKEN_URL && env.AUTH_OIDC_CLIENT_ID;
    return {
      mode: 'oidc' as const,
      oidc: ready
        ? {
            authorizeUrl: env.AUTH_OIDC_AUTHORIZE_URL!,
            tokenUrl: env.AUTH_OIDC_TOKEN_URL!,
            clientId: env.AUTH_OIDC_CLIENT_ID!,
            scope: env.AUTH_OIDC_SCOPE,
            token: env.AUTH_OIDC_TOKEN,
          }
        : null,
    };
  }

  /** Dev mode only: the demo users to pick from on the console's login page, with their org's name. */
  async devUsers() {
    if (!this.secret) throw new FabuException('NOT_FOUND', 'dev login is disabled outside AUTH_MODE=dev');
    const users = await this.directory.listUsers();
    const orgs = new Map(
      (await this.directory.findOrgs([...new Set(users.map((u) => u.orgCode))])).map((o) => [o.code, o]),
    );
    return {
      items: users.map((u) => ({
        username: u.username,
        displayName: u.displayName,
        orgCode: u.orgCode,
        orgName: orgs.get(u.orgCode)?.name ?? u.orgCode,
        city: orgs.get(u.orgCode)?.city ?? null,
        isAdmin: u.isAdmin,
        positions: u.positions,
      })),
    };
  }

  /** The directory user a bearer token names; 401 for a bad token, 403 for a stranger. */
  async authenticate(authorization: string | undefined): Promise<DirectoryUser> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw new FabuException('UNAUTHENTICATED', 'missing bearer token (Authorization: Bearer <jwt>)');
    const env = this.runtime.config.env;
    let username: unknown;
    try {
      const options = { issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE };
      const { payload } = this.jwks
        ? await jwtVerify(match[1]!, this.jwks, options)
        : await jwtVerify(match[1]!, this.secret!, options);
      username = payload[env.AUTH_USERNAME_CLAIM];
    } catch (err) {
      throw new FabuException('UNAUTHENTICATED', `invalid token: ${(err as Error).message}`);
    }
    if (typeof username !== 'string') {
      throw new FabuException('UNAUTHENTICATED', `token has no ${env.AUTH_USERNAME_CLAIM} claim`);
    }
    const user = await this.directory.findUser(username);
    if (!user) throw new FabuException('FORBIDDEN', `${username} is not in the fabu directory`);
    return user;
  }
}
