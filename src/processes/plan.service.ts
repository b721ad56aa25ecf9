import { Inject, Injectable } from '@nestjs/common';
import { CalendarService } from '../calendar/calendar.service.js';
import { RUNTIME, type RuntimeSettings } from '../runtime.js';
import { planChain } from './plan.js';
import { type Plan, type PlanQuery, submitInstant } from './plan.schemas.js';
import { ProcessesService } from './processes.service.js';

/** The plan preview of a deployed chain (its newest version), counted on the calendar as stored now. */
@Injectable()
export class PlanService {
  constructor(
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
    private readonly processes: ProcessesService,
    private readonly calendar: CalendarService,
  ) {}

  async plan(key: string, query: PlanQuery): Promise<Plan> {
    const definition = await this.processes.get(key);
    const plan = planChain({
      ir: definition.ir,
      conferenceDate: query.conferenceAt,
      submitAt: submitInstant(query.submitAt),
      calendar: await this.calendar.calendar(),
      dayEnd: this.runtime.config.env.BUSINESS_DAY_END,
    });
    return { ...plan, processVersion: definition.version };
  }
}
