import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { apiSchema } from '../common/openapi.js';
import { type ComplianceQuery, ComplianceQuerySchema, ComplianceReportSchema } from './compliance.schemas.js';
import { ComplianceService } from './compliance.service.js';

@ApiTags('compliance')
@ApiBearerAuth()
@Controller('compliance')
export class ComplianceController {
  constructor(private readonly compliance: ComplianceService) {}

  @Get()
  @ApiOperation({
    summary:
      'Release-frequency quotas (L1, U3, H8): per org, required, held, planned and met / on-track / behind / at-risk / missed',
  })
  @ApiResponse({ status: 200, schema: apiSchema(ComplianceReportSchema) })
  report(@Query({ schema: ComplianceQuerySchema }) query: ComplianceQuery) {
    return this.compliance.report(query);
  }
}
