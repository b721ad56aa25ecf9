import { Injectable } from '@nestjs/common';
import { FabuException } from '../common/problem.js';
import { type DirectoryUser, DirectoryRepository } from '../directory/directory.repository.js';
import type { ProxyEntity } from './proxy.entity.js';
import { ProxiesRepository } from './proxies.repository.js';
import type { NewProxyBody, ProxyView } from './proxies.schemas.js';

/**
 * Cover while away: a user names a proxy for a period (optionally for one chain); tasks that open
 * for them in that period go to the proxy, and the trail records "proxy for principal".
 */
@Injectable()
export class ProxiesService {
  constructor(
    private readonly proxies: ProxiesRepository,
    private readonly directory: DirectoryRepository,
  ) {}

  async list(user: DirectoryUser, of?: string): Promise<{ items: ProxyView[] }> {
    if (of && of !== user.username && !user.isAdmin) {
      throw new FabuException('FORBIDDEN', "only an administrator lists someone else's proxies");
    }
    return { items: (await this.proxies.listFor(of ?? user.username)).map(toView) };
  }

  async create(user: DirectoryUser, body: NewProxyBody): Promise<ProxyView> {
    const principal = body.principal ?? user.username;
    if (principal !== user.username && !user.isAdmin) {
      throw new FabuException('FORBIDDEN', 'only an administrator registers a proxy for someone else', [
        { path: 'principal', message: 'not the caller' },
      ]);
    }
    for (const [path, username] of [
      ['principal', principal],
      ['proxy', body.proxy],
    ] as const) {
      if (!(await this.directory.findUser(username))) {
        throw new FabuException('VALIDATION_FAILED', `no user ${username}`, [{ path, message: 'unknown user' }]);
      }
    }
    if (body.proxy === principal) {
      throw new FabuException('VALIDATION_FAILED', 'a proxy is someone else', [
        { path: 'proxy', message: 'same as the principal' },
      ]);
    }
    const created = await this.proxies.create({
      principal,
      proxy: body.proxy,
      processKey: body.processKey ?? null,
      startsAt: new Date(body.startsAt),
      endsAt: new Date(body.endsAt),
      reason: body.reason ?? null,
      createdBy: user.username,
    });
    return toView(created);
  }

  /** Ends a registration now (the principal, who registered it, or an administrator). */
  async revoke(user: DirectoryUser, id: string): Promise<ProxyView> {
    const found = await this.proxies.find(id);
    const mayRevoke = found && (user.isAdmin || found.principal === user.username || found.createdBy === user.username);
    // Someone else's registration is not revealed.
    if (!found || (!mayRevoke && found.proxy !== user.username)) {
      throw new FabuException('PROXY_NOT_FOUND', `no proxy registration ${id}`);
    }
    if (!mayRevoke)
      throw new FabuException('FORBIDDEN', 'the proxy does not revoke a registration; its principal does');
    if (!found.revokedAt) await this.proxies.revoke(id, new Date());
    return toView((await this.proxies.find(id))!);
  }
}

function toView(p: ProxyEntity): ProxyView {
  const now = Date.now();
  return {
    id: p.id,
    principal: p.principal,
    proxy: p.proxy,
    processKey: p.processKey,
    startsAt: p.startsAt.toISOString(),
    endsAt: p.endsAt.toISOString(),
    reason: p.reason,
    createdBy: p.createdBy,
    revokedAt: p.revokedAt?.toISOString() ?? null,
    active: !p.revokedAt && p.startsAt.getTime() <= now && p.endsAt.getTime() > now,
  };
}
