import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentUser } from '../auth/auth.guard.js';
import { apiSchema } from '../common/openapi.js';
import { FabuException, ProblemSchema } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import { BackfillSchema, NoteSchema, ScheduleViewSchema } from './schedules.schemas.js';
import { SchedulesService } from './schedules.service.js';

/** Recurring processes' schedules: the same ones operators see in Temporal UI and the CLI. */
@ApiTags('schedules')
@ApiBearerAuth()
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Get()
  @ApiOperation({ summary: "Every recurring process's schedule: rule, state, next and recent runs (admin)" })
  @ApiResponse({ status: 200, schema: apiSchema(z.object({ items: z.array(ScheduleViewSchema) })) })
  list(@CurrentUser() user: DirectoryUser) {
    admin(user);
    return this.schedules.list();
  }

  @Get(':key')
  @ApiResponse({ status: 200, schema: apiSchema(ScheduleViewSchema) })
  @ApiResponse({ status: 404, description: 'SCHEDULE_NOT_FOUND', schema: apiSchema(ProblemSchema) })
  get(@CurrentUser() user: DirectoryUser, @Param('key') key: string) {
    admin(user);
    return this.schedules.get(key);
  }

  @Post(':key/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stops starting runs until resumed' })
  @ApiResponse({ status: 200, schema: apiSchema(ScheduleViewSchema) })
  pause(
    @CurrentUser() user: DirectoryUser,
    @Param('key') key: string,
    @Body({ schema: NoteSchema }) body: { note?: string },
  ) {
    admin(user);
    return this.schedules.pause(key, body.note);
  }

  @Post(':key/resume')
  @HttpCode(200)
  @ApiResponse({ status: 200, schema: apiSchema(ScheduleViewSchema) })
  resume(
    @CurrentUser() user: DirectoryUser,
    @Param('key') key: string,
    @Body({ schema: NoteSchema }) body: { note?: string },
  ) {
    admin(user);
    return this.schedules.resume(key, body.note);
  }

  @Post(':key/trigger')
  @HttpCode(200)
  @ApiOperation({ summary: 'Starts a run now (skipped while one runs)' })
  @ApiResponse({ status: 200, schema: apiSchema(ScheduleViewSchema) })
  trigger(@CurrentUser() user: DirectoryUser, @Param('key') key: string) {
    admin(user);
    return this.schedules.trigger(key);
  }

  @Post(':key/backfill')
  @HttpCode(200)
  @ApiOperation({ summary: 'Takes the runs the schedule would have taken between start and end (after a long outage)' })
  @ApiResponse({ status: 200, schema: apiSchema(ScheduleViewSchema) })
  backfill(
    @CurrentUser() user: DirectoryUser,
    @Param('key') key: string,
    @Body({ schema: BackfillSchema }) body: { start: string; end: string },
  ) {
    admin(user);
    return this.schedules.backfill(key, new Date(body.start), new Date(body.end));
  }
}

function admin(user: DirectoryUser): void {
  if (!user.isAdmin) throw new FabuException('FORBIDDEN', 'only an administrator manages schedules');
}
