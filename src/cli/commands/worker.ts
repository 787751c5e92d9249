// `runlane worker`: a worker node of a cluster — claims executions from the shared Redis queue, runs them, writes results to PostgreSQL.
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../logging/logger.js';
import { createNode } from '../../node/create-node.js';
import type { CliCommand } from '../cli-context.js';
import { runUntilSignal } from './run-until-signal.js';

interface WorkerOptions {
  redis?: string;
  database?: string;
  concurrency?: string;
  maxConcurrent?: string;
  languages?: string;
}

export const workerCommand: CliCommand = {
  name: 'worker',
  register(program, context) {
    program
      .command('worker')
      .description('Start a worker node: runs executions from the shared Redis queue in the sandbox and writes their results to PostgreSQL (no HTTP)')
      .option('--redis <url>', 'redis://… of the cluster\'s queue (REDIS_URL)')
      .option('--database <url>', 'postgres://user@host/db?schema=NAME of the cluster\'s store (DATABASE_URL)')
      .option('--concurrency <n>', 'executions this worker runs at once (RUNLANE_SCHEDULER__WORKER_SLOTS; default --max-concurrent)')
      .option('--languages <ids>', 'comma-separated language ids this worker runs, e.g. python,cpp; it takes only those also installed here (RUNLANE_SCHEDULER__WORKER_LANGUAGES; default: every installed language)')
      .option('--max-concurrent <n>', 'executions running at once across the cluster (MAX_CONCURRENT_EXECUTIONS)')
      .action(async (options: WorkerOptions) => {
        const config = loadConfig({
          file: program.opts<{ config?: string }>().config ?? null,
          env: context.env,
          flags: {
            'redis.url': options.redis,
            'database.url': options.database,
            'scheduler.workerSlots': options.concurrency,
            'scheduler.maxConcurrent': options.maxConcurrent,
            'scheduler.workerLanguages': options.languages,
          },
        });
        const logger = createLogger({ level: config.log.level });
        // Refuses a missing redis.url or a SQLite store (RUNLANE_ERR_CONFIG_INVALID) before the sandbox starts, and
        // languages none of which is installed here once the sandbox has looked.
        const node = await createNode(config, { role: 'worker', logger });
        logger.info(
          { role: 'worker', slots: config.scheduler.workerSlots ?? config.scheduler.maxConcurrent, cgroups: node.sandbox.capabilities.cgroups, languages: config.scheduler.workerLanguages ?? 'all installed' },
          'runlane worker is running',
        );
        await runUntilSignal(() => node.close(), logger, context);
      });
  },
};
