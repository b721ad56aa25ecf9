import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { apiSchema } from '../common/openapi.js';
import { ProblemSchema } from '../common/problem.js';
import { type PlanQuery, PlanQuerySchema, PlanSchema } from './plan.schemas.js';
import { PlanService } from './plan.service.js';

@ApiTags('processes')
@ApiBearerAuth()
@Controller('processes')
export class PlanController {
  constructor(private readonly plans: PlanService) {}

  @Get(':key/plan')
  @ApiOperation({
    summary:
      'Plan preview: every dated step of a chain for a conference date and a submission (H1, H3, L3, N6), with the ' +
      'working days between, holidays crossed, provisional dates, and the earliest conference still allowed',
  })
  @ApiResponse({ status: 200, schema: apiSchema(PlanSchema) })
  @ApiResponse({ status: 400, description: 'VALIDATION_FAILED (errors[].path names the field)', schema: apiSchema(ProblemSchema) })
  @ApiResponse({ status: 404, description: 'PROCESS_NOT_FOUND', schema: apiSchema(ProblemSchema) })
  plan(@Param('key') key: string, @Query({ schema: PlanQuerySchema }) query: PlanQuery) {
    return this.plans.plan(key, query);
  }
}
