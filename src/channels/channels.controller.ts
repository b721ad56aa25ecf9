import { Body, Controller, Get, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../auth/auth.guard.js';
import { apiSchema } from '../common/openapi.js';
import { ProblemSchema } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import {
  ChannelKeyParamSchema,
  ChannelListSchema,
  ChannelPostPageSchema,
  type ChannelUpsert,
  ChannelUpsertSchema,
  ChannelViewSchema,
  type ListPostsQuery,
  ListPostsQuerySchema,
  type ListReleasesQuery,
  ListReleasesQuerySchema,
  ReleasePageSchema,
} from './channels.schemas.js';
import { ChannelsService } from './channels.service.js';

const problem = apiSchema(ProblemSchema);

/** Where approved releases are published: the governments' own accounts and sites (N7). */
@ApiTags('channels')
@ApiBearerAuth()
@Controller('channels')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Get()
  @ApiOperation({ summary: 'Release channels (never their secrets)' })
  @ApiResponse({ status: 200, schema: apiSchema(ChannelListSchema) })
  list() {
    return this.channels.list();
  }

  @Put(':key')
  @ApiOperation({
    summary:
      'Create or replace a channel (admin): local, or a webhook with an http(s) url and a secret of 16+ characters',
  })
  @ApiResponse({ status: 201, description: 'created', schema: apiSchema(ChannelViewSchema) })
  @ApiResponse({ status: 200, description: 'replaced', schema: apiSchema(ChannelViewSchema) })
  @ApiResponse({ status: 400, description: 'VALIDATION_FAILED: errors[].path = url, secret, …', schema: problem })
  @ApiResponse({ status: 403, description: 'FORBIDDEN: only an administrator changes channels', schema: problem })
  async put(
    @CurrentUser() user: DirectoryUser,
    @Param({ schema: ChannelKeyParamSchema }) params: { key: string },
    @Body({ schema: ChannelUpsertSchema }) body: ChannelUpsert,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { created, channel } = await this.channels.put(user, params.key, body);
    res.status(created ? 201 : 200);
    return channel;
  }

  @Get(':key/posts')
  @ApiOperation({ summary: 'What a local channel published, newest first' })
  @ApiResponse({ status: 200, schema: apiSchema(ChannelPostPageSchema) })
  @ApiResponse({ status: 404, description: 'CHANNEL_NOT_FOUND', schema: problem })
  posts(@Param('key') key: string, @Query({ schema: ListPostsQuerySchema }) query: ListPostsQuery) {
    return this.channels.posts(key, query);
  }
}

/** Releases of approved chains, one per channel, with how their delivery stands. */
@ApiTags('channels')
@ApiBearerAuth()
@Controller('releases')
export class ReleasesController {
  constructor(private readonly channels: ChannelsService) {}

  @Get()
  @ApiOperation({ summary: 'Releases newest first, with their delivery status (pending, delivered, dead)' })
  @ApiResponse({ status: 200, schema: apiSchema(ReleasePageSchema) })
  list(@Query({ schema: ListReleasesQuerySchema }) query: ListReleasesQuery) {
    return this.channels.releasesPage(query);
  }
}
