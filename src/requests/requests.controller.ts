import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentUser } from '../auth/auth.guard.js';
import { apiSchema } from '../common/openapi.js';
import { ProblemSchema } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import {
  type CcBody,
  CcSchema,
  type Change,
  ChangeSchema,
  type CreateRequest,
  CreateRequestSchema,
  type EndRequest,
  type ListRequestsQuery,
  ListRequestsQuerySchema,
  RequestPageSchema,
  EndRequestSchema,
  type MessageBody,
  MessageSchema,
  type Reschedule,
  RescheduleSchema,
  AuditTrailSchema,
  ChainVerificationSchema,
  DossierSchema,
  RequestViewSchema,
} from './requests.schemas.js';
import { RequestsService } from './requests.service.js';

@ApiTags('requests')
@ApiBearerAuth()
@Controller('requests')
export class RequestsController {
  constructor(private readonly requests: RequestsService) {}

  @Post()
  @ApiOperation({ summary: 'Start a request on a deployed chain (e.g. an H3 government conference)' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A repeat returns the first request (200), never a second workflow',
  })
  @ApiResponse({ status: 201, schema: apiSchema(RequestViewSchema) })
  @ApiResponse({
    status: 422,
    description: 'APPLICATION_TOO_LATE (H1), IDEMPOTENCY_KEY_REUSED',
    schema: apiSchema(ProblemSchema),
  })
  async create(
    @CurrentUser() user: DirectoryUser,
    @Body({ schema: CreateRequestSchema }) body: CreateRequest,
    @Res({ passthrough: true }) res: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const { request, created } = await this.requests.create(user, body, idempotencyKey);
    res.status(created ? 201 : 200).location(`/api/requests/${request.id}`);
    return request;
  }

  @Post(':id/reschedule')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move the conference date (H6, initiator only): deadlines counted from it move too' })
  @ApiResponse({ status: 200, schema: apiSchema(RequestViewSchema) })
  @ApiResponse({
    status: 422,
    description: 'APPLICATION_TOO_LATE (H1) for the new date',
    schema: apiSchema(ProblemSchema),
  })
  reschedule(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Body({ schema: RescheduleSchema }) body: Reschedule,
  ) {
    return this.requests.reschedule(user, id, body);
  }

  @Post(':id/change')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Change the request (H6, applicant only): title, date, materials, variables. Where the chain says so, an approval under way re-runs in a new round',
  })
  @ApiResponse({ status: 200, schema: apiSchema(RequestViewSchema) })
  @ApiResponse({
    status: 422,
    description: 'APPLICATION_TOO_LATE (H1) for a new date, VARIABLES_INVALID',
    schema: apiSchema(ProblemSchema),
  })
  change(@CurrentUser() user: DirectoryUser, @Param('id') id: string, @Body({ schema: ChangeSchema }) body: Change) {
    return this.requests.change(user, id, body);
  }

  @Post(':id/cc')
  @HttpCode(200)
  @ApiOperation({ summary: '抄送: copy users in, read only (the applicant or someone the chain asked)' })
  @ApiResponse({ status: 200, schema: apiSchema(RequestViewSchema) })
  @ApiResponse({ status: 403, description: 'CC_NOT_ALLOWED', schema: apiSchema(ProblemSchema) })
  cc(@CurrentUser() user: DirectoryUser, @Param('id') id: string, @Body({ schema: CcSchema }) body: CcBody) {
    return this.requests.cc(user, id, body);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: '撤回: the applicant withdraws the request while no one else has decided' })
  @ApiResponse({ status: 200, schema: apiSchema(RequestViewSchema) })
  @ApiResponse({
    status: 409,
    description: 'WITHDRAW_NOT_ALLOWED, PROCESS_COMPLETED',
    schema: apiSchema(ProblemSchema),
  })
  withdraw(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Body({ schema: EndRequestSchema }) body: EndRequest,
  ) {
    return this.requests.withdraw(user, id, body);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'An operator (admin) cancels a running request' })
  @ApiResponse({ status: 200, schema: apiSchema(RequestViewSchema) })
  @ApiResponse({ status: 403, description: 'FORBIDDEN', schema: apiSchema(ProblemSchema) })
  cancel(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Body({ schema: EndRequestSchema }) body: EndRequest,
  ) {
    return this.requests.cancel(user, id, body);
  }

  @Post(':id/messages')
  @HttpCode(200)
  @ApiOperation({ summary: 'Feed a message event the chain waits for (e.g. "materials-filed")' })
  @ApiResponse({ status: 200, schema: apiSchema(RequestViewSchema) })
  @ApiResponse({ status: 409, description: 'MESSAGE_NOT_EXPECTED', schema: apiSchema(ProblemSchema) })
  message(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Body({ schema: MessageSchema }) body: MessageBody,
  ) {
    return this.requests.message(user, id, body);
  }

  @Get()
  @ApiOperation({
    summary: '我发起的 (scope=started) or 抄送我 (scope=cc), the newest first; every request for an operator',
  })
  @ApiResponse({ status: 200, schema: apiSchema(RequestPageSchema) })
  list(@CurrentUser() user: DirectoryUser, @Query({ schema: ListRequestsQuerySchema }) query: ListRequestsQuery) {
    return this.requests.list(user, query);
  }

  @Get(':id/audit')
  @ApiOperation({ summary: "The request's audit trail with its hash chain" })
  @ApiResponse({ status: 200, schema: apiSchema(AuditTrailSchema) })
  audit(@CurrentUser() user: DirectoryUser, @Param('id') id: string) {
    return this.requests.audit(user, id);
  }

  @Get(':id/audit/verify')
  @ApiOperation({ summary: 'Recompute the audit chain and report the first broken link' })
  @ApiResponse({ status: 200, schema: apiSchema(ChainVerificationSchema) })
  verify(@CurrentUser() user: DirectoryUser, @Param('id') id: string) {
    return this.requests.verify(user, id);
  }

  @Get(':id/dossier')
  @ApiOperation({ summary: 'Export the dossier (备案材料): decisions, opinions and the verified chain head, as JSON' })
  @ApiResponse({ status: 200, schema: apiSchema(DossierSchema) })
  dossier(@CurrentUser() user: DirectoryUser, @Param('id') id: string) {
    return this.requests.dossier(user, id);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A request with its tasks and history, from the read model' })
  @ApiResponse({
    status: 200,
    schema: apiSchema(
      RequestViewSchema.extend({
        allowedActions: z.array(z.enum(['withdraw', 'cc'])).describe('What the caller may do to the request now'),
      }),
    ),
  })
  @ApiResponse({ status: 404, description: 'REQUEST_NOT_FOUND', schema: apiSchema(ProblemSchema) })
  get(@CurrentUser() user: DirectoryUser, @Param('id') id: string) {
    return this.requests.get(user, id);
  }
}
