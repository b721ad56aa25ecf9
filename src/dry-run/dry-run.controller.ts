import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.guard.js';
import { apiSchema } from '../common/openapi.js';
import { ProblemSchema } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import { type DryRunBody, DryRunBodySchema, DryRunResultSchema } from './dry-run.schemas.js';
import { DryRunService } from './dry-run.service.js';

@ApiTags('processes')
@ApiBearerAuth()
@Controller('processes')
export class DryRunController {
  constructor(private readonly dryRuns: DryRunService) {}

  @Post('dry-run')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Dry run of a BPMN definition (admin or press office): each scenario runs the real interpreter on a ' +
      'time-skipping test server; returns the path, tasks with due dates, gateways, timers fired, outcome and history size',
  })
  @ApiResponse({ status: 200, schema: apiSchema(DryRunResultSchema) })
  @ApiResponse({
    status: 400,
    description: 'VALIDATION_FAILED: errors[].path names the scenario field (scenarios.<i>.decisions.<j>.element, …)',
    schema: apiSchema(ProblemSchema),
  })
  @ApiResponse({
    status: 422,
    description: 'BPMN_INVALID, errors[].element names the element',
    schema: apiSchema(ProblemSchema),
  })
  @ApiResponse({
    status: 429,
    description: 'DRY_RUN_BUSY: another dry run is under way',
    schema: apiSchema(ProblemSchema),
  })
  @ApiResponse({
    status: 503,
    description: 'DRY_RUN_UNAVAILABLE: no test server binary',
    schema: apiSchema(ProblemSchema),
  })
  run(@CurrentUser() user: DirectoryUser, @Body({ schema: DryRunBodySchema }) body: DryRunBody) {
    return this.dryRuns.run(user, body);
  }
}
