import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.guard.js';
import { apiSchema } from '../common/openapi.js';
import { ProblemSchema } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import {
  CalendarYearViewSchema,
  type DaysImport,
  DaysImportSchema,
  ImportResultSchema,
  type NoticeImport,
  NoticeImportSchema,
} from './calendar.schemas.js';
import { CalendarService } from './calendar.service.js';

@ApiTags('calendar')
@ApiBearerAuth()
@Controller('calendar')
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @Get(':year')
  @ApiOperation({ summary: "A year's holidays and make-up workdays (调休), and where they came from" })
  @ApiResponse({ status: 200, schema: apiSchema(CalendarYearViewSchema) })
  @ApiResponse({
    status: 404,
    description: 'CALENDAR_YEAR_NOT_LOADED: how to load it',
    schema: apiSchema(ProblemSchema),
  })
  year(@Param('year', ParseIntPipe) year: number) {
    return this.calendar.year(year);
  }

  @Post('notice')
  @HttpCode(200)
  @ApiOperation({
    summary: "Import a year from the State Council's holiday notice text (admin); dry run unless confirm",
  })
  @ApiResponse({ status: 200, schema: apiSchema(ImportResultSchema) })
  @ApiResponse({
    status: 422,
    description: 'NOTICE_INVALID: errors[].line names the line at fault',
    schema: apiSchema(ProblemSchema),
  })
  notice(@CurrentUser() user: DirectoryUser, @Body({ schema: NoticeImportSchema }) body: NoticeImport) {
    return this.calendar.importNotice(user, body.text, body.confirm);
  }

  @Post(':year/days')
  @HttpCode(200)
  @ApiOperation({ summary: 'Import a year as JSON or CSV (admin); dry run unless confirm' })
  @ApiResponse({ status: 200, schema: apiSchema(ImportResultSchema) })
  @ApiResponse({
    status: 422,
    description: 'CALENDAR_INVALID: errors[].path names the day at fault',
    schema: apiSchema(ProblemSchema),
  })
  days(
    @CurrentUser() user: DirectoryUser,
    @Param('year', ParseIntPipe) year: number,
    @Body({ schema: DaysImportSchema }) body: DaysImport,
  ) {
    return this.calendar.importDays(user, year, body);
  }
}
