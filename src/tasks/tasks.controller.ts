import { z } from 'zod';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.guard.js';
import { apiSchema } from '../common/openapi.js';
import { ProblemSchema } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import { TaskMaterialsSchema } from '../documents/documents.schemas.js';
import { AuditEventViewSchema, RequestSummarySchema, TaskViewSchema } from '../requests/requests.schemas.js';
import {
  type BulkDecisionBody,
  BulkDecisionResultSchema,
  BulkDecisionSchema,
  type DecisionBody,
  DecisionResultSchema,
  DecisionSchema,
  InboxSummarySchema,
  type ListTasksQuery,
  ListTasksQuerySchema,
  TaskPageSchema,
  type ResolveBody,
  type SignerBody,
  SignerSchema,
  ResolveSchema,
  type TransferBody,
  TransferSchema,
  UrgeResultSchema,
} from './tasks.schemas.js';
import { TasksService } from './tasks.service.js';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOperation({ summary: "The caller's open tasks (as a candidate), soonest due first" })
  @ApiResponse({ status: 200, schema: apiSchema(TaskPageSchema) })
  list(@CurrentUser() user: DirectoryUser, @Query({ schema: ListTasksQuerySchema }) query: ListTasksQuery) {
    return this.tasks.inbox(user, query);
  }

  @Get('summary')
  @ApiOperation({ summary: 'Tab counts and a digest of my open tasks: cheap enough to poll for inbox changes' })
  @ApiResponse({ status: 200, schema: apiSchema(InboxSummarySchema) })
  summary(@CurrentUser() user: DirectoryUser) {
    return this.tasks.summary(user);
  }

  @Post('bulk-decision')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve (or reject) up to 100 tasks: one result per task; a refused one changes nothing' })
  @ApiResponse({ status: 200, schema: apiSchema(BulkDecisionResultSchema) })
  bulkDecide(@CurrentUser() user: DirectoryUser, @Body({ schema: BulkDecisionSchema }) body: BulkDecisionBody) {
    return this.tasks.bulkDecide(user, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One task the caller is a candidate of' })
  @ApiResponse({
    status: 200,
    schema: apiSchema(
      TaskViewSchema.extend({
        returnTargets: z.array(z.string()).describe('Open tasks: the earlier steps a return (退回) may name'),
        output: z
          .string()
          .nullable()
          .describe('What an approval gives in `data` (fabu:output), e.g. "topics" at the topic meeting (N2)'),
        materials: TaskMaterialsSchema,
        allowedActions: z
          .array(z.string())
          .describe('What the caller may do now: approve, reject, return, transfer, delegate, resolve, urge'),
        request: RequestSummarySchema.pick({
          id: true,
          processKey: true,
          title: true,
          orgCode: true,
          conferenceDate: true,
          initiator: true,
          status: true,
          stage: true,
        }).nullable(),
        history: z.array(AuditEventViewSchema).describe("This task's entries of the request's audit trail"),
      }),
    ),
  })
  @ApiResponse({ status: 404, description: 'TASK_NOT_FOUND', schema: apiSchema(ProblemSchema) })
  get(@CurrentUser() user: DirectoryUser, @Param('id') id: string) {
    return this.tasks.get(user, id);
  }

  @Post(':id/decision')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve or reject an open task; refused decisions change nothing' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retried POST with the same key is applied once',
  })
  @ApiResponse({ status: 200, schema: apiSchema(DecisionResultSchema) })
  @ApiResponse({ status: 403, description: 'NOT_A_CANDIDATE', schema: apiSchema(ProblemSchema) })
  @ApiResponse({ status: 404, description: 'TASK_NOT_FOUND', schema: apiSchema(ProblemSchema) })
  @ApiResponse({ status: 409, description: 'TASK_NOT_OPEN, PROCESS_COMPLETED', schema: apiSchema(ProblemSchema) })
  decide(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Body({ schema: DecisionSchema }) body: DecisionBody,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    return this.tasks.decide(user, id, body, idempotencyKey);
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @ApiOperation({ summary: '转办: hand an open task to another user, who becomes its only candidate' })
  @ApiResponse({ status: 403, description: 'NOT_A_CANDIDATE', schema: apiSchema(ProblemSchema) })
  @ApiResponse({
    status: 422,
    description: 'TRANSFER_INVALID, VALIDATION_FAILED (unknown user)',
    schema: apiSchema(ProblemSchema),
  })
  transfer(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Body({ schema: TransferSchema }) body: TransferBody,
  ) {
    return this.tasks.handOver('transfer', user, id, body);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Claim an open task: the other candidates no longer see or decide it until you unclaim it' })
  @ApiResponse({ status: 409, description: 'TASK_CLAIMED', schema: apiSchema(ProblemSchema) })
  claim(@CurrentUser() user: DirectoryUser, @Param('id') id: string) {
    return this.tasks.claim(user, id, false);
  }

  @Post(':id/unclaim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give a claimed task back to all its candidates' })
  unclaim(@CurrentUser() user: DirectoryUser, @Param('id') id: string) {
    return this.tasks.claim(user, id, true);
  }

  @Post(':id/delegate')
  @HttpCode(200)
  @ApiOperation({ summary: '委派: let another user work on an open task; it comes back to you when they resolve it' })
  @ApiResponse({ status: 409, description: 'TASK_DELEGATED (already)', schema: apiSchema(ProblemSchema) })
  delegate(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Body({ schema: TransferSchema }) body: TransferBody,
  ) {
    return this.tasks.handOver('delegate', user, id, body);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'The delegate hands the task back with their opinion (意见)' })
  @ApiResponse({ status: 422, description: 'COMMENT_REQUIRED', schema: apiSchema(ProblemSchema) })
  resolve(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Body({ schema: ResolveSchema }) body: ResolveBody,
  ) {
    return this.tasks.resolve(user, id, body.comment);
  }

  @Post(':id/signers')
  @HttpCode(200)
  @ApiOperation({
    summary: '加签: add someone to sign before, after or beside you (you must be able to decide the task)',
  })
  @ApiResponse({
    status: 409,
    description: 'TASK_BLOCKED (a sign-off before it is pending already)',
    schema: apiSchema(ProblemSchema),
  })
  @ApiResponse({
    status: 422,
    description: 'SIGNER_INVALID: yourself, a candidate, or already added',
    schema: apiSchema(ProblemSchema),
  })
  addSigner(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Body({ schema: SignerSchema }) body: SignerBody,
  ) {
    return this.tasks.signer(user, id, body);
  }

  @Delete(':id/signers/:username')
  @HttpCode(200)
  @ApiOperation({ summary: '减签: take back a sign-off you added while it is still pending' })
  @ApiResponse({
    status: 422,
    description: 'SIGNER_INVALID: no pending sign-off of theirs that you added',
    schema: apiSchema(ProblemSchema),
  })
  removeSigner(@CurrentUser() user: DirectoryUser, @Param('id') id: string, @Param('username') username: string) {
    return this.tasks.signer(user, id, { to: username, mode: 'parallel' }, true);
  }

  @Post(':id/urge')
  @HttpCode(200)
  @ApiOperation({ summary: "催办: tell an open task's candidates again (the applicant or an operator, once an hour)" })
  @ApiResponse({ status: 200, schema: apiSchema(UrgeResultSchema) })
  @ApiResponse({ status: 429, description: 'URGED_RECENTLY', schema: apiSchema(ProblemSchema) })
  urge(@CurrentUser() user: DirectoryUser, @Param('id') id: string) {
    return this.tasks.urge(user, id);
  }
}
