import { Injectable } from '@nestjs/common';
import { FabuException } from '../common/problem.js';
import type { DirectoryUser, Page } from '../directory/directory.repository.js';
import { ChannelsRepository } from './channels.repository.js';
import type {
  ChannelPost,
  ChannelUpsert,
  ChannelView,
  ListPostsQuery,
  ListReleasesQuery,
  ReleaseView,
} from './channels.schemas.js';
import { ReleasesRepository } from './releases.repository.js';

/**
 * Release channels (N7, H7, U2): every signed-in user sees them (never their secrets) and what
 * was released; only an administrator points a channel somewhere else.
 */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly channels: ChannelsRepository,
    private readonly releases: ReleasesRepository,
  ) {}

  async list(): Promise<{ items: ChannelView[] }> {
    return { items: await this.channels.list() };
  }

  /** Creates or replaces a channel; deliveries still pending go to where it points now. */
  async put(
    user: DirectoryUser,
    key: string,
    body: ChannelUpsert,
  ): Promise<{ created: boolean; channel: ChannelView }> {
    if (!user.isAdmin) throw new FabuException('FORBIDDEN', 'only an administrator changes release channels');
    return this.channels.save(key, body);
  }

  async posts(key: string, query: ListPostsQuery): Promise<Page<ChannelPost>> {
    if (!(await this.channels.find(key))) throw new FabuException('CHANNEL_NOT_FOUND', `no release channel ${key}`);
    return this.channels.pagePosts(key, query.limit, query.cursor);
  }

  releasesPage(query: ListReleasesQuery): Promise<Page<ReleaseView>> {
    const { limit, cursor, ...filters } = query;
    return this.releases.page(filters, limit, cursor);
  }
}
