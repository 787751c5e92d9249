// `runlane serve`: the embedded default (API, rooms, scheduler, sandbox workers and a SQLite file in one process), or an API node of a cluster.
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../logging/logger.js';
import { startServer } from '../../main.js';
import { createNode } from '../../node/create-node.js';
import type { CliCommand } from '../cli-context.js';
import { runUntilSignal } from './run-until-signal.js';

interface ServeOptions {
  host?: string;
  port?: string;
  dataDir?: string;
  database?: string;
  maxConcurrent?: string;
  redis?: string;
  workers?: string;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  register(program, context) {
    program
      .command('serve')
      .description('Start the server: REST API, Socket.IO rooms, scheduler and sandbox workers (embedded SQLite by default; with --redis, an API node of a cluster)')
      .option('--host <address>', 'address to bind (HOST)')
      .option('--port <port>', 'port to listen on; 0 picks a free one (PORT)')
      .option('--data-dir <dir>', 'directory of the SQLite file')
      .option('--database <url>', 'sqlite:PATH or postgres://user@host/db?schema=NAME (DATABASE_URL); a cluster needs PostgreSQL')
      .option('--max-concurrent <n>', 'executions running at once (MAX_CONCURRENT_EXECUTIONS); in a cluster, across all workers')
      .option('--redis <url>', 'redis://… : join the cluster whose queue is in this Redis, as an API node (REDIS_URL)')
      .option('--workers <n>', 'with --redis: executions this node also runs itself; 0 = API only (RUNLANE_SCHEDULER__WORKER_SLOTS)')
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
            'redis.url': options.redis,
            'scheduler.workerSlots': options.workers,
          },
        });
        const logger = createLogger({ level: config.log.level });
        if (!config.redis.url) {
          const server = await startServer(config, logger);
          await runUntilSignal(() => server.close(), logger, context);
          return;
        }
        // A cluster node: a fresh node id each start (the queue's leases, not the id, recover what a dead node held).
        const node = await createNode(config, { role: config.scheduler.workerSlots === 0 ? 'api' : 'all', logger });
        try {
          await node.listen();
        } catch (error) {
          await node.close();
          throw error;
        }
        await runUntilSignal(() => node.close(), logger, context);
      });
  },
};
