// What the HTTP layer needs from the rest of the service, and the request fields its hooks add.
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Authenticator } from '../auth/authenticator.js';
import type { Config } from '../config/index.js';
import type { Identity } from '../domain/identity.js';
import { AppError, AUTH_ERRORS } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { WorkerInfo } from '../queue/worker-registry.js';
import type { SubmissionService } from '../submissions/submission-service.js';

/** Everything `buildHttpApp` is wired with; the composition root picks the implementations. */
export interface HttpAppDeps {
  service: SubmissionService;
  authenticator: Authenticator;
  config: Readonly<Config>;
  logger: Logger;
  metrics: Metrics;
  /** Live workers and dependency health; without it `/api/v1/workers` lists none and `/ready` checks nothing. */
  cluster?: ClusterView;
}

/** One dependency (store, Redis) as the readiness check saw it. */
export interface DependencyStatus {
  name: 'postgresql' | 'sqlite' | 'redis';
  status: 'up' | 'down';
  /** Why it is down: an error code or a timeout, never an address or a secret. */
  error: string | null;
}

/** What the node knows of its cluster: the worker registry, and whether its dependencies answer. */
export interface ClusterView {
  workers(): Promise<WorkerInfo[]>;
  dependencies(): Promise<DependencyStatus[]>;
}

/** The Fastify instance routes are registered on: TypeBox schemas give typed bodies, params and queries. */
export type HttpApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Ids a request is about, so the request log line can be found from an execution and back. */
export interface RequestTrace {
  correlationId?: string;
  executionId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is acting; set by the auth hook on every non-public route. */
    identity: Identity | null;
    /** Why authentication failed; raised after rate limiting so bad tokens are limited too. */
    authError: unknown;
    trace: RequestTrace | null;
  }
  interface FastifyContextConfig {
    /** No authentication and no rate limit (health checks, metrics scrapes, docs). */
    public?: boolean;
    /** A seed-compatible route: error bodies also carry `success: false`. */
    compat?: boolean;
    /** The route submits code: its refusals are counted in `runlane_submissions_rejected_total`. */
    submits?: boolean;
  }
}

/** The authenticated identity; the auth hook guarantees it on every non-public route. */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new AppError(AUTH_ERRORS.missingToken, 'authentication required');
  return request.identity;
}

/** Records the ids a request is about for its log line. */
export function traceRequest(request: FastifyRequest, trace: RequestTrace): void {
  request.trace = { ...request.trace, ...trace };
}
