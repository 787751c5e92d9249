// The commands of `runlane`, in help order. `serve`, `worker` and `bench` are added here as modules of their own.
import type { CliCommand } from '../cli-context.js';
import { benchCommand } from './bench.js';
import { languagesCommand } from './languages.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { tokenCommand } from './token.js';
import { workerCommand } from './worker.js';

export const COMMANDS: readonly CliCommand[] = [serveCommand, workerCommand, runCommand, languagesCommand, benchCommand, tokenCommand];
