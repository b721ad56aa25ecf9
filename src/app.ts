import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { StandardSchemaValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module.js';
import { PinoNestLogger, requestContext } from './common/logger.js';
import { FabuException } from './common/problem.js';
import { ProblemFilter } from './common/problem.filter.js';
import { serveConsole } from './console/serve-console.js';
import type { RuntimeSettings } from './runtime.js';

export interface FabuApp {
  /** The HTTP server's base URL, when this process serves the API. */
  url?: string;
  context: INestApplicationContext;
  close(): Promise<void>;
}

/** Builds and starts one fabu process (API, worker or both) from resolved settings. */
export async function startFabu(runtime: RuntimeSettings): Promise<FabuApp> {
  const logger = new PinoNestLogger(runtime.logger);
  if (!runtime.roles.api) {
    const context = await NestFactory.createApplicationContext(AppModule.register(runtime), { logger });
    await context.init();
    return { context, close: () => context.close() };
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(runtime), { logger });
  configureHttp(app, runtime);
  const { HOST, PORT } = runtime.config.env;
  await app.listen(PORT, HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : PORT;
  return { url: `http://${HOST}:${port}`, context: app, close: () => app.close() };
}

export function configureHttp(app: NestExpressApplication, runtime: RuntimeSettings): void {
  app.setGlobalPrefix('api', { exclude: ['health'] });
  app.useBodyParser('json', { limit: '2mb' });
  // Without this pipe zod schemas on @Body/@Query document but do not validate.
  app.useGlobalPipes(
    new StandardSchemaValidationPipe({
      exceptionFactory: (issues) =>
        new FabuException(
          'VALIDATION_FAILED',
          'the request does not match the schema',
          issues.map((i) => ({
            path: (i.path ?? []).map((s) => String(typeof s === 'object' ? s.key : s)).join('.') || undefined,
            message: i.message,
          })),
        ),
    }),
  );
  app.useGlobalFilters(new ProblemFilter());
  serveConsole(app, runtime);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      runtime.logger.info(
        {
          requestId,
          method: req.method,
          path: req.originalUrl,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'http',
      );
    });
    requestContext.run({ requestId }, next);
  });
  const doc = new DocumentBuilder()
    .setTitle('fabu (发布)')
    .setDescription(
      'Approval chains of government press releases as durable Temporal workflows. Errors are ' +
        'application/problem+json with a stable `code`; lists take `?limit=&cursor=`.',
    )
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'docs-json' });
}
