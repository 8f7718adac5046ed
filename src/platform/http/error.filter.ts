import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppLogger } from '../observability/logger';
import { ErrorDetail, isCodedError, STATUS_OF_KIND } from './app-error';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  details?: ErrorDetail[];
}

/** An error that brings its own response body (PagerDuty's Events API shape, for one). */
export class CustomBodyError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${statusCode}`);
  }
}

/**
 * The PagerDuty Events API (`/v2/enqueue`, `/v2/change/enqueue`) answers an invalid event in
 * PagerDuty's shape, which its senders parse; a body that is not JSON is an invalid event too.
 */
const PAGERDUTY_EVENTS_PREFIX = '/v2/';

const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is larger than the limit for this endpoint',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type: send application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Body is empty but Content-Type is application/json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Body is not valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
};

/** Maps every error to the contract's JSON error shape. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: AppLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    if (exception instanceof CustomBodyError) {
      void reply.status(exception.statusCode).send(exception.body);
      return;
    }
    const body = this.toBody(exception);
    if (body.statusCode === 400 && request?.url?.startsWith(PAGERDUTY_EVENTS_PREFIX)) {
      void reply
        .status(400)
        .header('content-type', 'application/json; charset=utf-8')
        .send({ status: 'invalid event', message: 'Event object is invalid', errors: [body.message] });
      return;
    }
    if (body.statusCode >= 500) {
      this.logger.error(
        // The route's pattern, not its URL: capability tokens travel in paths (ack links, calendar feeds).
        { err: exception, method: request?.method, route: routeOf(request) },
        'request failed',
      );
    }
    if (body.statusCode === 503 || body.statusCode === 429) {
      const retryAfter = isCodedError(exception) ? exception.retryAfter : undefined;
      void reply.header('Retry-After', String(retryAfter ?? 5));
    }
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (isCodedError(exception)) {
      const statusCode = STATUS_OF_KIND[exception.kind];
      return withoutUndefined({
        statusCode,
        error: STATUS_CODES[statusCode] ?? 'Error',
        message: exception.message,
        code: exception.code,
        details: exception.details ?? fieldDetail(exception),
      });
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      const payload = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
      const rawMessage = typeof response === 'string' ? response : payload.message;
      return withoutUndefined({
        statusCode,
        error: STATUS_CODES[statusCode] ?? 'Error',
        message: Array.isArray(rawMessage) ? rawMessage.join('; ') : String(rawMessage ?? exception.message),
        code: typeof payload.code === 'string' ? payload.code : undefined,
        details: Array.isArray(payload.details) ? (payload.details as ErrorDetail[]) : undefined,
      });
    }
    // Errors raised by Fastify before a handler ran (body parsing, limits) carry a status.
    const fastify = exception as { statusCode?: unknown; code?: unknown; message?: unknown };
    if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
      const code = typeof fastify.code === 'string' ? fastify.code : undefined;
      const message =
        (code && FASTIFY_MESSAGES[code]) ||
        (fastify.statusCode === 400 && /JSON/i.test(String(fastify.message)) ? 'Body is not valid JSON' : undefined) ||
        String(fastify.message ?? 'Bad request');
      return withoutUndefined({
        statusCode: fastify.statusCode,
        error: STATUS_CODES[fastify.statusCode] ?? 'Error',
        message,
        details: fastify.statusCode === 400 ? [{ path: 'body', problem: String(fastify.message) }] : undefined,
      });
    }
    return { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' };
  }
}

/** Domain errors name the offending input in `path`. */
function fieldDetail(error: object): ErrorDetail[] | undefined {
  const { path, message } = error as { path?: unknown; message: string };
  return typeof path === 'string' ? [{ path, problem: message }] : undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function routeOf(request: unknown): string {
  const r = request as { routeOptions?: { url?: string }; routerPath?: string } | undefined;
  return r?.routeOptions?.url ?? r?.routerPath ?? 'unmatched';
}
