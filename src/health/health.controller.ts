import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Client } from '@temporalio/client';
import { Public } from '../auth/auth.guard.js';
import { RUNTIME, type RuntimeSettings } from '../runtime.js';
import { TEMPORAL_CLIENT } from '../temporal/temporal.tokens.js';

/** GET /health: Postgres and Temporal reachability (outside the /api prefix). */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Temporal and Postgres reachability' })
  check() {
    return this.health.check([() => this.db.pingCheck('postgres', { timeout: 2000 }), () => this.temporalCheck()]);
  }

  private async temporalCheck() {
    const indicator = this.indicators.check('temporal');
    try {
      // A hung frontend must not hang the health check.
      await this.temporal.connection.withDeadline(Date.now() + 2000, () =>
        this.temporal.workflowService.describeNamespace({ namespace: this.runtime.config.env.TEMPORAL_NAMESPACE }),
      );
      return indicator.up({ address: this.runtime.temporalAddress });
    } catch (err) {
      return indicator.down({ address: this.runtime.temporalAddress, message: (err as Error).message });
    }
  }
}
