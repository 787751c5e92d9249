// Keeps a long-running command (serve, worker) alive until SIGTERM or SIGINT, then stops it gracefully once.
import type { Logger } from '../../logging/logger.js';
import type { CliContext } from '../cli-context.js';

/** Resolves after the first SIGTERM/SIGINT has run `close`; a failed close sets exit code 1. */
export function runUntilSignal(close: () => Promise<void>, logger: Logger, context: CliContext): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'received signal');
      void close().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        context.setExitCode(1);
        resolve();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
