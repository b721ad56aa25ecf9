import { Injectable } from '@nestjs/common';
import { FabuException, type ProblemItem } from '../common/problem.js';
import { type DirectoryUser, DirectoryRepository, type Page } from './directory.repository.js';
import type {
  ListOrgsQuery,
  ListUsersQuery,
  OrgLeaders,
  OrgUpsert,
  OrgView,
  UserUpsert,
  UserView,
} from './directory.schemas.js';
import { POSITIONS, type Position, PositionSchema } from './positions.js';

/**
 * The org directory: every signed-in user reads it (approvers pick whom to transfer or delegate
 * to); only an administrator changes it.
 */
@Injectable()
export class DirectoryService {
  constructor(private readonly directory: DirectoryRepository) {}

  positions() {
    return {
      items: (Object.keys(POSITIONS) as Position[]).map((position) => ({
        position,
        description: POSITIONS[position],
      })),
    };
  }

  async listOrgs(query: ListOrgsQuery): Promise<Page<OrgView>> {
    const { limit, cursor, ...filters } = query;
    const page = await this.directory.pageOrgs(filters, limit, cursor);
    return { items: page.items.map(toOrgView), nextCursor: page.nextCursor };
  }

  async org(code: string): Promise<OrgView> {
    const org = await this.directory.findOrg(code);
    if (!org) throw new FabuException('ORG_NOT_FOUND', `no org ${code}`);
    return toOrgView(org);
  }

  /** Who holds each position in an org; leader-in-charge there is the leader in charge of it. */
  async leaders(code: string): Promise<OrgLeaders> {
    const org = await this.org(code);
    const rows = await this.directory.holdersIn(code);
    const order = Object.keys(POSITIONS);
    const held = [...new Set(rows.map((r) => r.position))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    return {
      org,
      positions: held.flatMap((p) => {
        const position = PositionSchema.safeParse(p);
        if (!position.success) return [];
        return [
          {
            position: position.data,
            description: POSITIONS[position.data],
            holders: rows
              .filter((r) => r.position === p)
              .map((r) => ({ username: r.username, displayName: r.displayName })),
          },
        ];
      }),
    };
  }

  async putOrg(user: DirectoryUser, code: string, body: OrgUpsert): Promise<{ created: boolean; org: OrgView }> {
    assertAdmin(user);
    if (body.parentCode && !(await this.directory.findOrg(body.parentCode))) {
      throw invalid(`no org ${body.parentCode}`, [{ path: 'parentCode', message: 'unknown org' }]);
    }
    const { created } = await this.directory.saveOrg({ code, ...body });
    return { created, org: await this.org(code) };
  }

  /** Refused while users work in it, positions are held in it, orgs lie under it or requests run for it. */
  async deleteOrg(user: DirectoryUser, code: string): Promise<void> {
    assertAdmin(user);
    if (!(await this.directory.findOrg(code))) throw new FabuException('ORG_NOT_FOUND', `no org ${code}`);
    const { deleted, references } = await this.directory.deleteOrg(code);
    if (deleted) return;
    const what = describe(references, {
      users: 'users working in it',
      childOrgs: 'orgs under it',
      positions: 'positions held in it',
      runningRequests: 'running requests applied for by it',
    });
    if (what.length === 0) throw new FabuException('ORG_NOT_FOUND', `no org ${code}`);
    throw new FabuException('ORG_IN_USE', `${code} is in use: ${what.join(', ')}`, [], { references });
  }

  async listUsers(query: ListUsersQuery): Promise<Page<UserView>> {
    const { limit, cursor, ...filters } = query;
    return this.directory.pageUsers(filters, limit, cursor);
  }

  async user(username: string): Promise<UserView> {
    const user = await this.directory.findUser(username);
    if (!user) throw new FabuException('USER_NOT_FOUND', `no user ${username}`);
    return user;
  }

  async putUser(
    actor: DirectoryUser,
    username: string,
    body: UserUpsert,
  ): Promise<{ created: boolean; user: UserView }> {
    assertAdmin(actor);
    if (!(await this.directory.findOrg(body.orgCode))) {
      throw invalid(`no org ${body.orgCode}`, [{ path: 'orgCode', message: 'unknown org' }]);
    }
    const { created } = await this.directory.saveUser({ username, ...body });
    return { created, user: await this.user(username) };
  }

  /**
   * Refused while the user holds positions (revoke them first, so that no chain silently loses a
   * signer), is asked to act on an open task, or has a running request. Audit history keeps the
   * username as text, so past decisions still name them.
   */
  async deleteUser(actor: DirectoryUser, username: string): Promise<void> {
    assertAdmin(actor);
    if (!(await this.directory.findUser(username))) throw new FabuException('USER_NOT_FOUND', `no user ${username}`);
    const { deleted, references } = await this.directory.deleteUser(username);
    if (deleted) return;
    const what = describe(references, {
      positions: 'positions held',
      openTasks: 'open tasks they are asked to act on',
      runningRequests: 'running requests applied for',
    });
    if (what.length === 0) throw new FabuException('USER_NOT_FOUND', `no user ${username}`);
    throw new FabuException('USER_IN_USE', `${username} is in use: ${what.join(', ')}`, [], { references });
  }

  async grant(
    actor: DirectoryUser,
    username: string,
    position: string,
    orgCode: string,
  ): Promise<{ created: boolean; user: UserView }> {
    assertAdmin(actor);
    const grant = await this.checkGrant(username, position, orgCode);
    const { created } = await this.directory.grantPosition(grant);
    return { created, user: await this.user(username) };
  }

  async revoke(actor: DirectoryUser, username: string, position: string, orgCode: string): Promise<void> {
    assertAdmin(actor);
    const grant = await this.checkGrant(username, position, orgCode);
    if (!(await this.directory.revokePosition(grant))) {
      throw new FabuException('NOT_FOUND', `${username} does not hold ${position} in ${orgCode}`);
    }
  }

  /** A position of the list, in an org and for a user of the directory: each one at fault is named. */
  private async checkGrant(username: string, position: string, orgCode: string) {
    const errors: ProblemItem[] = [];
    const known = PositionSchema.safeParse(position);
    if (!known.success) {
      errors.push({ path: 'position', message: `unknown position; one of ${Object.keys(POSITIONS).join(', ')}` });
    }
    if (!(await this.directory.findOrg(orgCode))) errors.push({ path: 'orgCode', message: 'unknown org' });
    if (!(await this.directory.findUser(username))) errors.push({ path: 'username', message: 'unknown user' });
    if (errors.length) throw invalid(`cannot grant ${position} in ${orgCode} to ${username}`, errors);
    return { username, position, orgCode };
  }
}

function assertAdmin(user: DirectoryUser): void {
  if (!user.isAdmin) throw new FabuException('FORBIDDEN', 'only an administrator changes the directory');
}

function invalid(detail: string, errors: ProblemItem[]): FabuException {
  return new FabuException('DIRECTORY_INVALID', detail, errors);
}

function toOrgView(o: OrgView): OrgView {
  return { code: o.code, name: o.name, kind: o.kind, city: o.city, parentCode: o.parentCode };
}

function describe<K extends string>(counts: Record<K, number>, words: Record<K, string>): string[] {
  return (Object.keys(words) as K[]).filter((k) => counts[k] > 0).map((k) => `${words[k]}: ${counts[k]}`);
}
