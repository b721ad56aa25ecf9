import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../auth/auth.guard.js';
import { apiSchema } from '../common/openapi.js';
import { ProblemSchema } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import {
  type CreateIncident,
  CreateIncidentSchema,
  type HandOverBody,
  HandOverSchema,
  IncidentListSchema,
  IncidentReportSchema,
  IncidentViewSchema,
  type ListIncidentsQuery,
  ListIncidentsQuerySchema,
  type PutRoutes,
  PutRoutesSchema,
  type ReassessBody,
  ReassessSchema,
  type ReportQuery,
  ReportQuerySchema,
  RouteListSchema,
  RoutesQuerySchema,
} from './incidents.schemas.js';
import { IncidentsService } from './incidents.service.js';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents')
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @Post()
  @ApiOperation({
    summary: "Report an incident (O1): routed to the responsible units, answered by the city's response chain",
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'A repeat returns the first incident (200), never a second workflow; so does the same source + sourceId',
  })
  @ApiResponse({ status: 201, schema: apiSchema(IncidentViewSchema) })
  @ApiResponse({
    status: 422,
    description: 'NO_INTAKE_PROCESS, INCIDENT_INVALID, ROUTE_NOT_FOUND, VARIABLES_INVALID, IDEMPOTENCY_KEY_REUSED',
    schema: apiSchema(ProblemSchema),
  })
  async create(
    @CurrentUser() user: DirectoryUser,
    @Body({ schema: CreateIncidentSchema }) body: CreateIncident,
    @Res({ passthrough: true }) res: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const { incident, created } = await this.incidents.create(user, body, idempotencyKey);
    res.status(created ? 201 : 200).location(`/api/incidents/${incident.id}`);
    return incident;
  }

  @Get()
  @ApiOperation({ summary: 'Incidents the caller may see, newest first, with their clocks' })
  @ApiResponse({ status: 200, schema: apiSchema(IncidentListSchema) })
  list(@CurrentUser() user: DirectoryUser, @Query({ schema: ListIncidentsQuerySchema }) query: ListIncidentsQuery) {
    return this.incidents.list(user, query);
  }

  @Get('routes')
  @ApiOperation({ summary: 'Routing rules (O1, H7) of a city, highest priority first' })
  @ApiResponse({ status: 200, schema: apiSchema(RouteListSchema) })
  routes(@CurrentUser() user: DirectoryUser, @Query({ schema: RoutesQuerySchema }) query: { city?: string }) {
    return this.incidents.routes(user, query.city);
  }

  @Put('routes/:city')
  @ApiOperation({ summary: "Replace a city's routing rules (admin); a refused write changes nothing" })
  @ApiResponse({ status: 200, schema: apiSchema(RouteListSchema) })
  @ApiResponse({
    status: 422,
    description: 'ROUTES_INVALID (errors[].path names the org)',
    schema: apiSchema(ProblemSchema),
  })
  replaceRoutes(
    @CurrentUser() user: DirectoryUser,
    @Param('city') city: string,
    @Body({ schema: PutRoutesSchema }) body: PutRoutes,
  ) {
    return this.incidents.replaceRoutes(user, city, body);
  }

  @Get('report')
  @ApiOperation({
    summary:
      'Accountability report (O5, U3): incidents by severity, first-release times, breaches by unit and their holders',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiResponse({ status: 200, schema: apiSchema(IncidentReportSchema) })
  async report(
    @CurrentUser() user: DirectoryUser,
    @Query({ schema: ReportQuerySchema }) query: ReportQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    const report = await this.incidents.report(user, query);
    if (typeof report === 'string') res.type('text/csv; charset=utf-8');
    return report;
  }

  @Get(':id')
  @ApiOperation({ summary: "An incident with its chain's status, stage, responsible unit, clocks and releases" })
  @ApiResponse({ status: 200, schema: apiSchema(IncidentViewSchema) })
  @ApiResponse({ status: 404, description: 'INCIDENT_NOT_FOUND', schema: apiSchema(ProblemSchema) })
  get(@CurrentUser() user: DirectoryUser, @Param('id') id: string) {
    return this.incidents.get(user, id);
  }

  @Post(':id/severity')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-assess the severity (press office of the city): an upgrade shortens the clocks' })
  @ApiResponse({ status: 200, schema: apiSchema(IncidentViewSchema) })
  @ApiResponse({ status: 409, description: 'SEVERITY_UNCHANGED, PROCESS_COMPLETED', schema: apiSchema(ProblemSchema) })
  reassess(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Body({ schema: ReassessSchema }) body: ReassessBody,
  ) {
    return this.incidents.reassess(user, id, body);
  }

  @Post(':id/handover')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Hand the incident on to another unit of the city (the responsible unit or the press office)',
  })
  @ApiResponse({ status: 200, schema: apiSchema(IncidentViewSchema) })
  @ApiResponse({ status: 422, description: 'HANDOVER_INVALID', schema: apiSchema(ProblemSchema) })
  handOver(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Body({ schema: HandOverSchema }) body: HandOverBody,
  ) {
    return this.incidents.handOver(user, id, body);
  }
}
