// AppError: every failure that is not a user program's verdict, with a stable code and an HTTP status.

/** One entry of the error catalogue. */
export interface ErrorDefinition {
  /** Stable code, `RUNLANE_ERR_<AREA>_<WHAT>`. */
  code: string;
  /** HTTP status the error is rendered with. */
  statusCode: number;
  /** What went wrong, for docs/errors.md. */
  description: string;
  /** What the caller should do about it, for docs/errors.md. */
  fix: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  /** Structured detail safe to show to the client (e.g. which field, which limit). */
  details?: Record<string, unknown>;
  /** Seconds after which retrying may succeed; rendered as `Retry-After`. */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(definition: ErrorDefinition, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = definition.code;
    this.statusCode = definition.statusCode;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The body every transport renders: `{ error: { code, message, details? } }`. */
  toJSON(): { error: { code: string; message: string; details?: Record<string, unknown> } } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Shorthand for catalogue files: builds a definition keyed by its code. */
export function defineError(code: string, statusCode: number, description: string, fix: string): ErrorDefinition {
  return { code, statusCode, description, fix };
}
