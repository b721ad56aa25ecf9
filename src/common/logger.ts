import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggerService } from '@nestjs/common';
import { Runtime, type Logger as TemporalLogger, type LogLevel, type LogMetadata } from '@temporalio/worker';
import { type Logger, pino } from 'pino';

/** The HTTP request being served, so every log line of it carries its id. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'fabu' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => {
      const ctx = requestContext.getStore();
      return ctx ? { requestId: ctx.requestId } : {};
    },
  });
}

/** Nest's logger interface on top of pino: structured JSON, one line per event. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    this.write('info', message, context);
  }
  error(message: unknown, trace?: string, context?: string) {
    this.write('error', message, context, trace);
  }
  warn(message: unknown, context?: string) {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string) {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string) {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context?: string, trace?: string) {
    const fields = { context, ...(trace ? { trace } : {}) };
    if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}

/** The Temporal SDK's logger interface over pino (the worker runtime, the workflow bundler). */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}
  log(level: LogLevel, message: string, meta?: LogMetadata) {
    const pinoLevel = ({ TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const)[level];
    // Workflow and activity log lines carry workflowId / runId / activityId in their metadata.
    this.logger[pinoLevel]({ context: 'temporal', ...meta }, message);
  }
  trace(m: string, meta?: LogMetadata) {
    this.log('TRACE', m, meta);
  }
  debug(m: string, meta?: LogMetadata) {
    this.log('DEBUG', m, meta);
  }
  info(m: string, meta?: LogMetadata) {
    this.log('INFO', m, meta);
  }
  warn(m: string, meta?: LogMetadata) {
    this.log('WARN', m, meta);
  }
  error(m: string, meta?: LogMetadata) {
    this.log('ERROR', m, meta);
  }
}

let runtimeInstalled = false;
/** Routes the Temporal SDK's logs (worker, workflows, activities) into pino; once per process. */
export function installTemporalLogger(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new PinoTemporalLogger(logger.child({ component: 'worker' })) });
  } catch {
    // A Runtime already exists in this process (a test harness made one first): keep its logger.
  }
}
