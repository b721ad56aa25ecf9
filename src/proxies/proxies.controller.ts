import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.guard.js';
import { apiSchema } from '../common/openapi.js';
import { ProblemSchema } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import {
  type NewProxyBody,
  NewProxySchema,
  ProxyListQuerySchema,
  ProxyListSchema,
  ProxyViewSchema,
} from './proxies.schemas.js';
import { ProxiesService } from './proxies.service.js';

@ApiTags('proxies')
@ApiBearerAuth()
@Controller('proxies')
export class ProxiesController {
  constructor(private readonly proxies: ProxiesService) {}

  @Get()
  @ApiOperation({ summary: 'Registrations where the caller is covered or covers someone (newest first)' })
  @ApiResponse({ status: 200, schema: apiSchema(ProxyListSchema) })
  list(@CurrentUser() user: DirectoryUser, @Query({ schema: ProxyListQuerySchema }) query: { user?: string }) {
    return this.proxies.list(user, query.user);
  }

  @Post()
  @ApiOperation({
    summary: 'Cover while away: tasks opening for the principal in the period go to the proxy (A→B→C resolves to C)',
  })
  @ApiResponse({ status: 201, schema: apiSchema(ProxyViewSchema) })
  @ApiResponse({ status: 409, description: 'PROXY_LOOP, PROXY_CONFLICT', schema: apiSchema(ProblemSchema) })
  create(@CurrentUser() user: DirectoryUser, @Body({ schema: NewProxySchema }) body: NewProxyBody) {
    return this.proxies.create(user, body);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Ends a registration now; tasks already handed to the proxy stay with them' })
  @ApiResponse({ status: 200, schema: apiSchema(ProxyViewSchema) })
  @ApiResponse({ status: 404, description: 'PROXY_NOT_FOUND', schema: apiSchema(ProblemSchema) })
  revoke(@CurrentUser() user: DirectoryUser, @Param('id') id: string) {
    return this.proxies.revoke(user, id);
  }
}
