import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In, QueryFailedError } from 'typeorm';
import { FabuException } from '../common/problem.js';
import { type CandidateExpr, orgCodeOf } from '../processes/ir.js';
import { OrgEntity, UserEntity, UserPositionEntity } from './directory.entities.js';

export interface DirectoryUser {
  username: string;
  displayName: string;
  orgCode: string;
  isAdmin: boolean;
  positions: Array<{ position: string; orgCode: string }>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface OrgFilters {
  city?: string;
  kind?: string;
  parent?: string;
}

export interface UserFilters {
  org?: string;
  position?: string;
  q?: string;
}

/** What still points at an org, or at a user; a delete is refused while any count is above zero. */
export interface OrgReferences {
  users: number;
  childOrgs: number;
  positions: number;
  runningRequests: number;
}
export interface UserReferences {
  positions: number;
  openTasks: number;
  runningRequests: number;
}

export interface DirectorySeed {
  orgs: Array<Pick<OrgEntity, 'code' | 'name' | 'kind' | 'city'> & { parentCode?: string }>;
  users: Array<{
    username: string;
    displayName: string;
    orgCode: string;
    isAdmin?: boolean;
    positions: Array<{ position: string; orgCode: string }>;
  }>;
}

@Injectable()
export class DirectoryRepository {
  constructor(private readonly db: DataSource) {}

  /** Users a candidate expression names, relative to the applicant's org and the initiator. */
  async resolve(expr: CandidateExpr, ctx: { orgCode: string; initiator: string; item?: string }): Promise<string[]> {
    if (expr.kind === 'initiator') return [ctx.initiator];
    const orgCode = orgCodeOf(expr.org, ctx);
    const rows = await this.db.getRepository(UserPositionEntity).find({
      where: { position: expr.position, orgCode },
      order: { username: 'ASC' },
    });
    return rows.map((r) => r.username);
  }

  async findUser(username: string): Promise<DirectoryUser | null> {
    // Both at once (every authenticated call asks): one round trip's wait instead of two.
    const [user, positions] = await Promise.all([
      this.db.getRepository(UserEntity).findOneBy({ username }),
      this.db.getRepository(UserPositionEntity).find({ where: { username }, order: { position: 'ASC' } }),
    ]);
    if (!user) return null;
    return { ...user, positions: positions.map((p) => ({ position: p.position, orgCode: p.orgCode })) };
  }

  async listUsers(): Promise<DirectoryUser[]> {
    const users = await this.db.getRepository(UserEntity).find({ order: { username: 'ASC' } });
    const positions = await this.db.getRepository(UserPositionEntity).find();
    return users.map((u) => ({
      ...u,
      positions: positions
        .filter((p) => p.username === u.username)
        .map((p) => ({ position: p.position, orgCode: p.orgCode })),
    }));
  }

  async findOrg(code: string): Promise<OrgEntity | null> {
    return this.db.getRepository(OrgEntity).findOneBy({ code });
  }

  /** Inserts or updates the given orgs, users and positions; running it twice changes nothing. */
  async upsert(seed: DirectorySeed): Promise<void> {
    await this.db.transaction(async (m) => {
      // Parents first, so the foreign key holds whatever order the seed lists them in.
      const orgs = [...seed.orgs].sort((a, b) => Number(Boolean(a.parentCode)) - Number(Boolean(b.parentCode)));
      await m.getRepository(OrgEntity).upsert(
        orgs.map((o) => ({ ...o, parentCode: o.parentCode ?? null })),
        ['code'],
      );
      await m.getRepository(UserEntity).upsert(
        seed.users.map(({ positions: _p, ...u }) => ({ ...u, isAdmin: u.isAdmin ?? false })),
        ['username'],
      );
      const positions = seed.users.flatMap((u) => u.positions.map((p) => ({ username: u.username, ...p })));
      if (positions.length) {
        await m.createQueryBuilder().insert().into(UserPositionEntity).values(positions).orIgnore().execute();
      }
    });
  }

  async findOrgs(codes: string[]): Promise<OrgEntity[]> {
    if (codes.length === 0) return [];
    return this.db.getRepository(OrgEntity).findBy({ code: In(codes) });
  }

  /** Orgs by code, keyset-paginated. */
  async pageOrgs(filters: OrgFilters, limit: number, cursor?: string): Promise<Page<OrgEntity>> {
    const q = this.db
      .getRepository(OrgEntity)
      .createQueryBuilder('o')
      .orderBy('o.code')
      .limit(limit + 1);
    if (filters.city) q.andWhere('o.city = :city', { city: filters.city });
    if (filters.kind) q.andWhere('o.kind = :kind', { kind: filters.kind });
    if (filters.parent) q.andWhere('o.parent_code = :parent', { parent: filters.parent });
    if (cursor) q.andWhere('o.code > :after', { after: decodeCursor(cursor) });
    const rows = await q.getMany();
    return pageOf(rows, limit, (o) => o.code);
  }

  /**
   * Creates or replaces an org. Org writes are serialized so that two concurrent moves cannot
   * close a loop of parents; a parent that is the org itself or one of its descendants is refused.
   */
  async saveOrg(org: OrgEntity): Promise<{ created: boolean }> {
    return this.write(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('fabu:directory:orgs'))`);
      if (org.parentCode) {
        const [row] = await m.query<Array<{ loop: boolean }>>(
          `WITH RECURSIVE up(code, parent_code) AS (
             SELECT code, parent_code FROM orgs WHERE code = $1
             UNION
             SELECT o.code, o.parent_code FROM orgs o JOIN up ON o.code = up.parent_code
           )
           SELECT EXISTS (SELECT 1 FROM up WHERE code = $2) AS loop`,
          [org.parentCode, org.code],
        );
        if (row?.loop) {
          throw new FabuException('DIRECTORY_INVALID', `${org.parentCode} is ${org.code} or lies under it`, [
            { path: 'parentCode', message: 'an org cannot lie under itself' },
          ]);
        }
      }
      const [row] = await m.query<Array<{ created: boolean }>>(
        `INSERT INTO orgs (code, name, kind, city, parent_code) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE
           SET name = EXCLUDED.name, kind = EXCLUDED.kind, city = EXCLUDED.city, parent_code = EXCLUDED.parent_code
         RETURNING (xmax = 0) AS created`,
        [org.code, org.name, org.kind, org.city, org.parentCode],
      );
      return { created: Boolean(row?.created) };
    });
  }

  /** Deletes an org nothing points at; otherwise deletes nothing and says what still does. */
  async deleteOrg(code: string): Promise<{ deleted: boolean; references: OrgReferences }> {
    return this.write(async (m) => {
      // The row lock makes a concurrent insert that names this org wait, then fail its foreign key.
      const locked = await m.query<unknown[]>(`SELECT 1 FROM orgs WHERE code = $1 FOR UPDATE`, [code]);
      const [counts] = await m.query<Array<Record<keyof OrgReferences, number>>>(
        `SELECT
           (SELECT count(*)::int FROM users WHERE org_code = $1) AS "users",
           (SELECT count(*)::int FROM orgs WHERE parent_code = $1) AS "childOrgs",
           (SELECT count(*)::int FROM user_positions WHERE org_code = $1) AS "positions",
           (SELECT count(*)::int FROM requests WHERE org_code = $1 AND status = 'running') AS "runningRequests"`,
        [code],
      );
      const references = counts!;
      if (locked.length === 0 || Object.values(references).some((n) => n > 0)) return { deleted: false, references };
      await m.query(`DELETE FROM orgs WHERE code = $1`, [code]);
      return { deleted: true, references };
    });
  }

  /** Users by username with their positions, keyset-paginated. */
  async pageUsers(filters: UserFilters, limit: number, cursor?: string): Promise<Page<DirectoryUser>> {
    const q = this.db
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .orderBy('u.username')
      .limit(limit + 1);
    if (filters.position) {
      const held = filters.org ? 'AND p.org_code = :org' : '';
      q.andWhere(
        `EXISTS (SELECT 1 FROM user_positions p WHERE p.username = u.username AND p.position = :position ${held})`,
        { position: filters.position, org: filters.org },
      );
    } else if (filters.org) {
      q.andWhere('u.org_code = :org', { org: filters.org });
    }
    if (filters.q) {
      const like = `%${filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q.andWhere('(u.display_name ILIKE :like OR u.username ILIKE :like)', { like });
    }
    if (cursor) q.andWhere('u.username > :after', { after: decodeCursor(cursor) });
    const rows = await q.getMany();
    const page = pageOf(rows, limit, (u) => u.username);
    const positions = await this.positionsOf(page.items.map((u) => u.username));
    return {
      items: page.items.map((u) => ({ ...u, positions: positions.get(u.username) ?? [] })),
      nextCursor: page.nextCursor,
    };
  }

  /** Creates or replaces a user (not their positions). */
  async saveUser(user: UserEntity): Promise<{ created: boolean }> {
    return this.write(async (m) => {
      if (!user.isAdmin) await this.keepAnAdmin(m, user.username, 'isAdmin');
      const [row] = await m.query<Array<{ created: boolean }>>(
        `INSERT INTO users (username, display_name, org_code, is_admin) VALUES ($1, $2, $3, $4)
         ON CONFLICT (username) DO UPDATE
           SET display_name = EXCLUDED.display_name, org_code = EXCLUDED.org_code, is_admin = EXCLUDED.is_admin
         RETURNING (xmax = 0) AS created`,
        [user.username, user.displayName, user.orgCode, user.isAdmin],
      );
      return { created: Boolean(row?.created) };
    });
  }

  /**
   * Deletes a user nothing depends on any more: no positions, no open task, no running request of
   * theirs. Audit history keeps their username as text and is not touched.
   */
  async deleteUser(username: string): Promise<{ deleted: boolean; references: UserReferences }> {
    return this.write(async (m) => {
      const locked = await m.query<unknown[]>(`SELECT 1 FROM users WHERE username = $1 FOR UPDATE`, [username]);
      const [counts] = await m.query<Array<Record<keyof UserReferences, number>>>(
        `SELECT
           (SELECT count(*)::int FROM user_positions WHERE username = $1) AS "positions",
           (SELECT count(*)::int FROM tasks t WHERE t.status = 'open' AND (
              t.assignee = $1 OR t.delegated_to = $1
              OR EXISTS (SELECT 1 FROM task_candidates c WHERE c.task_id = t.id AND c.username = $1)
           )) AS "openTasks",
           (SELECT count(*)::int FROM requests WHERE initiator = $1 AND status = 'running') AS "runningRequests"`,
        [username],
      );
      const references = counts!;
      if (locked.length === 0 || Object.values(references).some((n) => n > 0)) return { deleted: false, references };
      await this.keepAnAdmin(m, username);
      await m.query(`DELETE FROM users WHERE username = $1`, [username]);
      return { deleted: true, references };
    });
  }

  /** Grants a position in an org; granting it again changes nothing. */
  async grantPosition(grant: UserPositionEntity): Promise<{ created: boolean }> {
    return this.write(async (m) => {
      const rows = await m.query<unknown[]>(
        `INSERT INTO user_positions (username, position, org_code) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [grant.username, grant.position, grant.orgCode],
      );
      return { created: rows.length > 0 };
    });
  }

  async revokePosition(grant: UserPositionEntity): Promise<boolean> {
    const result = await this.db.getRepository(UserPositionEntity).delete({ ...grant });
    return (result.affected ?? 0) > 0;
  }

  /** Who holds which position in an org. */
  async holdersIn(orgCode: string): Promise<Array<{ position: string; username: string; displayName: string }>> {
    return this.db.query(
      `SELECT p.position, u.username, u.display_name AS "displayName"
         FROM user_positions p JOIN users u ON u.username = p.username
        WHERE p.org_code = $1
        ORDER BY p.position, u.username`,
      [orgCode],
    );
  }

  private async positionsOf(usernames: string[]): Promise<Map<string, Array<{ position: string; orgCode: string }>>> {
    const map = new Map<string, Array<{ position: string; orgCode: string }>>();
    if (usernames.length === 0) return map;
    const rows = await this.db.getRepository(UserPositionEntity).find({
      where: { username: In(usernames) },
      order: { position: 'ASC', orgCode: 'ASC' },
    });
    for (const r of rows)
      map.set(r.username, [...(map.get(r.username) ?? []), { position: r.position, orgCode: r.orgCode }]);
    return map;
  }

  /** Refuses a change that would leave the directory with no administrator to edit it. */
  private async keepAnAdmin(m: EntityManager, username: string, field?: string): Promise<void> {
    const admins = await m.query<Array<{ username: string }>>(
      `SELECT username FROM users WHERE is_admin ORDER BY username FOR UPDATE`,
    );
    if (admins.length === 1 && admins[0]!.username === username) {
      throw new FabuException(
        'LAST_ADMIN',
        `${username} is the only administrator; make another one first`,
        field ? [{ path: field, message: 'the last administrator' }] : [],
      );
    }
  }

  /**
   * A transaction whose foreign-key failures, which only a concurrent write can cause past the
   * checks, read as the problem they are: an unknown reference, or an org still in use.
   */
  private async write<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (err) {
      const pgErr = err instanceof QueryFailedError ? (err.driverError as { code?: string; detail?: string }) : null;
      if (pgErr?.code === '23503') {
        const detail = pgErr.detail ?? 'a referenced org or user does not exist';
        throw new FabuException(/is still referenced/.test(detail) ? 'ORG_IN_USE' : 'DIRECTORY_INVALID', detail);
      }
      throw err;
    }
  }
}

function pageOf<T>(rows: T[], limit: number, key: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? Buffer.from(key(last)).toString('base64url') : null };
}

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString();
  if (key && Buffer.from(key).toString('base64url') === cursor) return key;
  throw new FabuException('VALIDATION_FAILED', 'cursor is not one this API issued', [
    { path: 'cursor', message: 'invalid cursor' },
  ]);
}
