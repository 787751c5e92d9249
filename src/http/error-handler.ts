// One error handler for every route: AppErrors as they are, Fastify's own errors translated, anything else a logged 500.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, HTTP_ERRORS, isAppError } from '../errors/index.js';
import type { Metrics } from '../metrics/metrics.js';

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: { missingProperty?: string };
}

/** Maps any thrown value to the AppError the client sees; never exposes internals of unknown errors. */
export function toAppError(error: unknown, bodyLimitBytes: number): AppError {
  if (isAppError(error)) return error;
  const fastifyError = error as Partial<FastifyError> & { validation?: ValidationIssue[]; validationContext?: string };
  if (Array.isArray(fastifyError.validation)) return validationError(fastifyError.validation, fastifyError.validationContext ?? 'body');
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError(HTTP_ERRORS.malformedJson, 'the request body is not valid JSON', { cause: error });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(HTTP_ERRORS.malformedJson, 'the request body is empty but Content-Type is application/json', { cause: error });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(HTTP_ERRORS.bodyTooLarge, `the request body is larger than ${bodyLimitBytes} bytes`, {
        cause: error,
        details: { maximum: bodyLimitBytes },
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(HTTP_ERRORS.unsupportedMediaType, 'unsupported Content-Type: this route accepts only `Content-Type: application/json`', { cause: error });
    default:
      break;
  }
  // Client errors from Fastify or its plugins keep their status; Fastify's own messages are specific and safe to show.
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const safeMessage = typeof fastifyError.code === 'string' && fastifyError.code.startsWith('FST_') ? fastifyError.message : undefined;
    if (status === 404) return new AppError(HTTP_ERRORS.notFound, safeMessage ?? 'not found', { cause: error });
    return new AppError({ ...HTTP_ERRORS.badRequest, statusCode: status }, safeMessage ?? 'bad request', { cause: error });
  }
  return new AppError(HTTP_ERRORS.internal, 'internal error: the failure was logged', { cause: error });
}

/**
 * `body.limits.memoryMb: Expected integer; body.stdin: Expected string` — names every field so the client can fix them all at once.
 * `details.field`/`details.reason` keep naming the first one for clients written before `details.fields`.
 */
function validationError(issues: ValidationIssue[], context: string): AppError {
  const fields = issues.map((issue) => {
    const path = (issue.instancePath ?? '').split('/').filter(Boolean);
    if (issue.params?.missingProperty) path.push(issue.params.missingProperty);
    return { field: [context, ...path].join('.'), message: issue.message ?? 'is invalid' };
  });
  if (fields.length === 0) fields.push({ field: context, message: 'is invalid' });
  const [first] = fields;
  const listed = fields.map(({ field, message }) => `${field}: ${message}`).join('; ');
  return new AppError(HTTP_ERRORS.validation, `invalid request: ${listed}`, { details: { field: first!.field, reason: first!.message, fields } });
}

/** The body every error is rendered with; seed-compatible routes add `success: false`, which their clients test. */
export function errorBody(error: AppError, compat: boolean) {
  return compat ? { success: false as const, ...error.toJSON() } : error.toJSON();
}

/** Sends an AppError with its status and `Retry-After` when it has one. */
export function sendAppError(reply: FastifyReply, error: AppError, compat: boolean): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  return reply.status(error.statusCode).send(errorBody(error, compat));
}

/** Installs the error handler and the 404 handler on the root instance. */
export function installErrorHandling(app: FastifyInstance, options: { bodyLimitBytes: number; metrics: Metrics }): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error, options.bodyLimitBytes);
    const config = request.routeOptions.config;
    if (appError.statusCode >= 500 && !isAppError(error)) {
      request.log.error({ err: error, correlationId: request.trace?.correlationId, executionId: request.trace?.executionId }, 'unexpected error while handling a request');
    } else if (appError.statusCode >= 500) {
      request.log.warn({ code: appError.code, message: appError.message }, 'request refused by the service');
    }
    if (config?.submits) options.metrics.recordRejection(appError.code);
    return sendAppError(reply, appError, config?.compat === true);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const error = new AppError(HTTP_ERRORS.notFound, `no route ${request.method} ${request.url.split('?')[0]}`);
    return sendAppError(reply, error, false);
  });
}
