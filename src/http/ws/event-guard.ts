// Per-socket gatekeeping shared by both namespaces: flood limit, unknown events, and uniform acks and error events.
import type { Socket } from 'socket.io';
import { AppError, HTTP_ERRORS, isAppError, ROOMS_ERRORS } from '../../errors/index.js';
import type { Logger } from '../../logging/logger.js';
import { TokenBucket, type RateLimitOptions } from '../../rooms/index.js';

/** The reply every client event gets through its ack callback. */
export type Ack = (reply: { ok: true } & object | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } }) => void;

export interface EventGuard {
  /** Runs a handler and answers through the ack, or with an `error` event when the client sent no ack. */
  respond(event: string, args: unknown[], handler: (payload: unknown) => Promise<object> | object): void;
}

/** Splits Socket.IO arguments into the payload and the ack callback (which is always last when present). */
export function splitArgs(args: unknown[]): { payload: unknown; ack: Ack | undefined } {
  const last = args.at(-1);
  const ack = typeof last === 'function' ? (last as Ack) : undefined;
  const payload = ack ? (args.length > 1 ? args[0] : undefined) : args[0];
  return { payload, ack };
}

/** Installs the socket middleware that refuses floods and unknown events before any handler runs. */
export function guardSocket(socket: Socket, known: readonly string[], rateLimit: RateLimitOptions, logger: Logger): EventGuard {
  const bucket = new TokenBucket(rateLimit);
  const names = new Set(known);
  let lastFloodNotice = 0;

  const refuse = (event: string, error: AppError, ack: Ack | undefined): void => {
    if (ack) ack({ ok: false, error: errorBody(error) });
    else socket.emit('error', { event, ...errorBody(error) });
  };

  socket.use(([event, ...args], next) => {
    const { ack } = splitArgs(args);
    if (!bucket.take()) {
      const now = Date.now();
      // A flood without acks would otherwise be answered by a flood of error events: tell the client once a second.
      if (ack || now - lastFloodNotice >= 1000) {
        lastFloodNotice = now;
        refuse(event, new AppError(ROOMS_ERRORS.rateLimited, `too many events: at most ${rateLimit.perSecond} per second (bursts of ${rateLimit.burst})`), ack);
      }
      return;
    }
    if (!names.has(event)) {
      refuse(event, new AppError(ROOMS_ERRORS.unknownEvent, `unknown event \`${String(event).slice(0, 64)}\``, { details: { known: [...names] } }), ack);
      return;
    }
    next();
  });

  return {
    respond(event, args, handler) {
      const { payload, ack } = splitArgs(args);
      Promise.resolve()
        .then(() => handler(payload))
        .then(
          (body) => ack?.({ ok: true, ...body }),
          (error: unknown) => {
            if (!isAppError(error)) logger.error({ err: error, event, socketId: socket.id }, 'socket event handler failed');
            refuse(event, isAppError(error) ? error : new AppError(HTTP_ERRORS.internal, 'internal error; details are in the server log'), ack);
          },
        );
    },
  };
}

function errorBody(error: AppError): ReturnType<AppError['toJSON']>['error'] {
  return error.toJSON().error;
}
