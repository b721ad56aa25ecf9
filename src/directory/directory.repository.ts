import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CandidateExpr } from '../processes/ir.js';
import { OrgEntity, UserEntity, UserPositionEntity } from './directory.entities.js';

export interface DirectoryUser {
  username: string;
  displayName: string;
  orgCode: string;
  isAdmin: boolean;
  positions: Array<{ position: string; orgCode: string }>;
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
  async resolve(expr: CandidateExpr, ctx: { orgCode: string; initiator: string }): Promise<string[]> {
    if (expr.kind === 'initiator') return [ctx.initiator];
    const orgCode = expr.org.kind === 'applicant' ? ctx.orgCode : expr.org.code;
    const rows = await this.db.getRepository(UserPositionEntity).find({
      where: { position: expr.position, orgCode },
      order: { username: 'ASC' },
    });
    return rows.map((r) => r.username);
  }

  async findUser(username: string): Promise<DirectoryUser | null> {
    const user = await this.db.getRepository(UserEntity).findOneBy({ username });
    if (!user) return null;
    const positions = await this.db
      .getRepository(UserPositionEntity)
      .find({ where: { username }, order: { position: 'ASC' } });
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
}
