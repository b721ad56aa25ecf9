import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type ErrorCode, FabuException, type Problem, problemOf } from './problem.js';

/** Renders every error as application/problem+json with a stable code. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const problem = this.toProblem(exception, req.originalUrl);
    if (problem.status >= 500) this.logger.error({ err: exception, path: req.originalUrl }, problem.detail);
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown, instance: string): Problem {
    if (exception instanceof FabuException) {
      return problemOf(exception.code, exception.detail, exception.errors, instance, exception.extensions);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = HTTP_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
      const body = exception.getResponse();
      const message =
        typeof body === 'object' && body && 'message' in body
          ? (body as { message: unknown }).message
          : exception.message;
      const detail = Array.isArray(message) ? message.join('; ') : String(message);
      return { ...problemOf(code, detail, [], instance), status };
    }
    return problemOf('INTERNAL', 'unexpected error', [], instance);
  }
}

const HTTP_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'VALIDATION_FAILED',
  415: 'VALIDATION_FAILED',
};
