// `runlane serve`: the embedded default — API, rooms, scheduler, sandbox workers and a SQLite file in one process.
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../logging/logger.js';
import { startServer } from '../../main.js';
import type { CliCommand } from '../cli-context.js';

interface ServeOptions {
  host?: string;
  port?: string;
  dataDir?: string;
  database?: string;
  maxConcurrent?: string;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  register(program, context) {
    program
      .command('serve')
      .description('Start the server: REST API, Socket.IO rooms, scheduler and sandbox workers (embedded SQLite by default)')
      .option('--host <address>', 'address to bind (HOST)')
      .option('--port <port>', 'port to listen on; 0 picks a free one (PORT)')
      .option('--data-dir <dir>', 'directory of the SQLite file')
      .option('--database <url>', 'sqlite:PATH or postgres://user@host/db?schema=NAME (DATABASE_URL)')
      .option('--max-concurrent <n>', 'executions running at once (MAX_CONCURRENT_EXECUTIONS)')
      .action(async (options: ServeOptions) => {
        const config = loadConfig({
          file: program.opts<{ config?: string }>().config ?? null,
          env: context.env,
          flags: {
            'server.host': options.host,
            'server.port': options.port,
            dataDir: options.dataDir,
            'database.url': options.database,
            'scheduler.maxConcurrent': options.maxConcurrent,
          },
        });
        const logger = createLogger({ level: config.log.level });
        const server = await startServer(config, logger);
        await new Promise<void>((resolve) => {
          const stop = (signal: NodeJS.Signals) => {
            logger.info({ signal }, 'received signal');
            void server.close().then(resolve, (error: unknown) => {
              logger.error({ err: error }, 'shutdown failed');
              context.setExitCode(1);
              resolve();
            });
          };
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        });
      });
  },
};
