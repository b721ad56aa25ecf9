import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../auth/auth.guard.js';
import { apiSchema } from '../common/openapi.js';
import { ProblemSchema } from '../common/problem.js';
import type { DirectoryUser } from './directory.repository.js';
import {
  type ListOrgsQuery,
  ListOrgsQuerySchema,
  type ListUsersQuery,
  ListUsersQuerySchema,
  OrgCodeParamSchema,
  OrgLeadersSchema,
  OrgPageSchema,
  type OrgUpsert,
  OrgUpsertSchema,
  OrgViewSchema,
  PositionListSchema,
  UserPageSchema,
  UsernameParamSchema,
  type UserUpsert,
  UserUpsertSchema,
  UserViewSchema,
} from './directory.schemas.js';
import { DirectoryService } from './directory.service.js';

const problem = apiSchema(ProblemSchema);
const FORBIDDEN = {
  status: 403,
  description: 'FORBIDDEN: only an administrator changes the directory',
  schema: problem,
};

@ApiTags('directory')
@ApiBearerAuth()
@Controller('directory')
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  @Get('positions')
  @ApiOperation({ summary: 'The positions a user may hold in an org, and that BPMN roles name' })
  @ApiResponse({ status: 200, schema: apiSchema(PositionListSchema) })
  positions() {
    return this.directory.positions();
  }

  @Get('orgs')
  @ApiOperation({ summary: 'Orgs by code, filtered by city, kind or parent' })
  @ApiResponse({ status: 200, schema: apiSchema(OrgPageSchema) })
  listOrgs(@Query({ schema: ListOrgsQuerySchema }) query: ListOrgsQuery) {
    return this.directory.listOrgs(query);
  }

  @Get('orgs/:code')
  @ApiOperation({ summary: 'An org' })
  @ApiResponse({ status: 200, schema: apiSchema(OrgViewSchema) })
  @ApiResponse({ status: 404, description: 'ORG_NOT_FOUND', schema: problem })
  org(@Param('code') code: string) {
    return this.directory.org(code);
  }

  @Get('orgs/:code/leaders')
  @ApiOperation({ summary: 'Who holds each position in an org (leader-in-charge: the leaders in charge of it)' })
  @ApiResponse({ status: 200, schema: apiSchema(OrgLeadersSchema) })
  @ApiResponse({ status: 404, description: 'ORG_NOT_FOUND', schema: problem })
  leaders(@Param('code') code: string) {
    return this.directory.leaders(code);
  }

  @Put('orgs/:code')
  @ApiOperation({ summary: 'Create or replace an org (admin); the same body again changes nothing' })
  @ApiResponse({ status: 201, description: 'created', schema: apiSchema(OrgViewSchema) })
  @ApiResponse({ status: 200, description: 'replaced', schema: apiSchema(OrgViewSchema) })
  @ApiResponse(FORBIDDEN)
  @ApiResponse({
    status: 422,
    description: 'DIRECTORY_INVALID: errors[].path = parentCode (unknown, or the org itself or one under it)',
    schema: problem,
  })
  async putOrg(
    @CurrentUser() user: DirectoryUser,
    @Param({ schema: OrgCodeParamSchema }) params: { code: string },
    @Body({ schema: OrgUpsertSchema }) body: OrgUpsert,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { created, org } = await this.directory.putOrg(user, params.code, body);
    res.status(created ? 201 : 200);
    return org;
  }

  @Delete('orgs/:code')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete an org (admin); refused while users, positions, child orgs or running requests refer to it',
  })
  @ApiResponse({ status: 204, description: 'deleted' })
  @ApiResponse(FORBIDDEN)
  @ApiResponse({ status: 404, description: 'ORG_NOT_FOUND', schema: problem })
  @ApiResponse({ status: 409, description: 'ORG_IN_USE, with references: what still refers to it', schema: problem })
  async deleteOrg(@CurrentUser() user: DirectoryUser, @Param('code') code: string) {
    await this.directory.deleteOrg(user, code);
  }

  @Get('users')
  @ApiOperation({ summary: 'Users with their positions, by username; filtered by org, position or name' })
  @ApiResponse({ status: 200, schema: apiSchema(UserPageSchema) })
  listUsers(@Query({ schema: ListUsersQuerySchema }) query: ListUsersQuery) {
    return this.directory.listUsers(query);
  }

  @Get('users/:username')
  @ApiOperation({ summary: 'A user with the positions they hold' })
  @ApiResponse({ status: 200, schema: apiSchema(UserViewSchema) })
  @ApiResponse({ status: 404, description: 'USER_NOT_FOUND', schema: problem })
  user(@Param('username') username: string) {
    return this.directory.user(username);
  }

  @Put('users/:username')
  @ApiOperation({ summary: 'Create or replace a user (admin); positions are granted separately' })
  @ApiResponse({ status: 201, description: 'created', schema: apiSchema(UserViewSchema) })
  @ApiResponse({ status: 200, description: 'replaced', schema: apiSchema(UserViewSchema) })
  @ApiResponse(FORBIDDEN)
  @ApiResponse({ status: 409, description: 'LAST_ADMIN: the only administrator stays one', schema: problem })
  @ApiResponse({ status: 422, description: 'DIRECTORY_INVALID: errors[].path = orgCode', schema: problem })
  async putUser(
    @CurrentUser() actor: DirectoryUser,
    @Param({ schema: UsernameParamSchema }) params: { username: string },
    @Body({ schema: UserUpsertSchema }) body: UserUpsert,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { created, user } = await this.directory.putUser(actor, params.username, body);
    res.status(created ? 201 : 200);
    return user;
  }

  @Delete('users/:username')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Delete a user (admin); refused while they hold positions, have open tasks or running requests. ' +
      'Audit history keeps their username.',
  })
  @ApiResponse({ status: 204, description: 'deleted' })
  @ApiResponse(FORBIDDEN)
  @ApiResponse({ status: 404, description: 'USER_NOT_FOUND', schema: problem })
  @ApiResponse({
    status: 409,
    description: 'USER_IN_USE (with references), or LAST_ADMIN',
    schema: problem,
  })
  async deleteUser(@CurrentUser() actor: DirectoryUser, @Param('username') username: string) {
    await this.directory.deleteUser(actor, username);
  }

  @Put('users/:username/positions/:position/:orgCode')
  @ApiOperation({
    summary: 'Grant a position in an org (admin); leader-in-charge in X makes the user the leader in charge of X',
  })
  @ApiResponse({ status: 201, description: 'granted', schema: apiSchema(UserViewSchema) })
  @ApiResponse({ status: 200, description: 'already held', schema: apiSchema(UserViewSchema) })
  @ApiResponse(FORBIDDEN)
  @ApiResponse({
    status: 422,
    description: 'DIRECTORY_INVALID: errors[].path = position, orgCode or username, each one unknown',
    schema: problem,
  })
  async grant(
    @CurrentUser() actor: DirectoryUser,
    @Param('username') username: string,
    @Param('position') position: string,
    @Param('orgCode') orgCode: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { created, user } = await this.directory.grant(actor, username, position, orgCode);
    res.status(created ? 201 : 200);
    return user;
  }

  @Delete('users/:username/positions/:position/:orgCode')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a position (admin); open tasks keep the candidates they were given' })
  @ApiResponse({ status: 204, description: 'revoked' })
  @ApiResponse(FORBIDDEN)
  @ApiResponse({ status: 404, description: 'NOT_FOUND: the user does not hold it', schema: problem })
  @ApiResponse({ status: 422, description: 'DIRECTORY_INVALID: errors[].path at fault', schema: problem })
  async revoke(
    @CurrentUser() actor: DirectoryUser,
    @Param('username') username: string,
    @Param('position') position: string,
    @Param('orgCode') orgCode: string,
  ) {
    await this.directory.revoke(actor, username, position, orgCode);
  }
}
