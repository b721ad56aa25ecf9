import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { FabuException } from '../common/problem.js';
import { ProxyEntity } from './proxy.entity.js';

export interface NewProxy {
  principal: string;
  proxy: string;
  processKey: string | null;
  startsAt: Date;
  endsAt: Date;
  reason: string | null;
  createdBy: string;
}

/** An edge "principal is covered by proxy" in force at some instant. */
interface Edge {
  principal: string;
  proxy: string;
  processKey: string | null;
}

@Injectable()
export class ProxiesRepository {
  constructor(private readonly db: DataSource) {}

  /** Registrations where the user is covered or covers someone, newest first (revoked ones too). */
  async listFor(username: string): Promise<ProxyEntity[]> {
    return this.db
      .getRepository(ProxyEntity)
      .createQueryBuilder('p')
      .where('p.principal = :username OR p.proxy = :username', { username })
      .orderBy('p.starts_at', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .getMany();
  }

  async find(id: string): Promise<ProxyEntity | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    return this.db.getRepository(ProxyEntity).findOneBy({ id });
  }

  /**
   * Registers a proxy. Refused when the principal already has one for an overlapping period and
   * the same scope (PROXY_CONFLICT), or when the new edge would close a loop A→B→…→A with the
   * registrations that overlap it (PROXY_LOOP). Serialised, so two opposite registrations racing
   * each other cannot both pass the loop check.
   */
  async create(p: NewProxy): Promise<ProxyEntity> {
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['fabu-proxies']);
      const overlapping = await this.overlapping(m, p.startsAt, p.endsAt);
      const sameScope = overlapping.find(
        (e) => e.principal === p.principal && (e.processKey ?? null) === (p.processKey ?? null),
      );
      if (sameScope) {
        throw new FabuException(
          'PROXY_CONFLICT',
          `${p.principal} already has ${sameScope.proxy} as proxy for an overlapping period` +
            (p.processKey ? ` on ${p.processKey}` : ''),
          [{ path: 'startsAt', message: 'overlaps an existing registration' }],
        );
      }
      // Edges that could be in force together with this one: same chain, or every chain.
      const relevant = overlapping.filter((e) => !p.processKey || !e.processKey || e.processKey === p.processKey);
      const loop = findPath(relevant, p.proxy, p.principal);
      if (loop) {
        throw new FabuException('PROXY_LOOP', `a proxy loop would form: ${[p.principal, ...loop].join(' → ')}`, [
          { path: 'proxy', message: `${p.proxy} is (through ${loop.join(' → ')}) covered by ${p.principal}` },
        ]);
      }
      return m.getRepository(ProxyEntity).save(m.getRepository(ProxyEntity).create(p));
    });
  }

  async revoke(id: string, at: Date): Promise<void> {
    await this.db.getRepository(ProxyEntity).update({ id }, { revokedAt: at });
  }

  /**
   * Who stands in for each of these users at an instant, for a chain: the end of the proxy chain
   * (A→B→C gives C), a registration for the chain before one for every chain. A loop (which
   * registration refuses) ends at the last user before it repeats. Users without a proxy are absent.
   */
  async resolve(usernames: string[], at: Date, processKey?: string): Promise<Record<string, string>> {
    if (usernames.length === 0) return {};
    const rows = await this.db.query<Edge[]>(
      `SELECT principal, proxy, process_key AS "processKey" FROM proxies
        WHERE revoked_at IS NULL AND starts_at <= $1 AND ends_at > $1 AND (process_key IS NULL OR process_key = $2)`,
      [at, processKey ?? null],
    );
    const next = new Map<string, string>();
    for (const e of rows) if (!next.has(e.principal) || e.processKey) next.set(e.principal, e.proxy);
    const result: Record<string, string> = {};
    for (const user of usernames) {
      const seen = new Set([user]);
      let current = user;
      for (let n = next.get(current); n && !seen.has(n); n = next.get(current)) {
        seen.add(n);
        current = n;
      }
      if (current !== user) result[user] = current;
    }
    return result;
  }

  private async overlapping(m: EntityManager, startsAt: Date, endsAt: Date): Promise<Edge[]> {
    return m.query<Edge[]>(
      `SELECT principal, proxy, process_key AS "processKey" FROM proxies
        WHERE revoked_at IS NULL AND starts_at < $2 AND ends_at > $1`,
      [startsAt, endsAt],
    );
  }
}

/** A path of proxy edges from one user to another (the users after `from`), or undefined. */
function findPath(edges: Edge[], from: string, to: string): string[] | undefined {
  const queue: string[][] = [[from]];
  const seen = new Set([from]);
  for (let path = queue.shift(); path; path = queue.shift()) {
    const last = path.at(-1)!;
    if (last === to) return path;
    for (const e of edges.filter((e) => e.principal === last && !seen.has(e.proxy))) {
      seen.add(e.proxy);
      queue.push([...path, e.proxy]);
    }
  }
  return undefined;
}
