// Turns `runlane run` arguments into a request draft (normalised like every other transport's) and config flags.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { AppError, ENGINE_ERRORS } from '../errors/index.js';
import { CATALOGUE } from '../languages/catalogue.js';
import { languageForFile } from '../languages/lookup.js';
import type { RequestDraft } from '../submissions/normalise-request.js';
import { CliUsageError } from './cli-usage-error.js';

/** Options of `runlane run` as commander hands them over. */
export interface RunFlags {
  lang?: string;
  stdin?: string;
  time?: string;
  wall?: string;
  memory?: string;
  expect?: string;
  file?: string[];
  exact?: boolean;
  json?: boolean;
}

/** Flags that change limits, as config overrides (`limits.run.cpuTimeMs` …), so the config's checks apply to them. */
export function limitFlags(flags: RunFlags, maxWallMs: number): Record<string, number> {
  const overrides: Record<string, number> = {};
  if (flags.time !== undefined) {
    const cpuTimeMs = seconds(flags.time, '--time');
    overrides['limits.run.cpuTimeMs'] = cpuTimeMs;
    // A program that sleeps must not outlive a short CPU limit by the default wall time: wall follows CPU unless given.
    if (flags.wall === undefined) overrides['limits.run.wallTimeMs'] = Math.min(maxWallMs, 2 * cpuTimeMs + 1000);
  }
  if (flags.wall !== undefined) overrides['limits.run.wallTimeMs'] = seconds(flags.wall, '--wall');
  if (flags.memory !== undefined) overrides['limits.run.memoryMb'] = positiveInteger(flags.memory, '--memory');
  return overrides;
}

/**
 * Reads the program (and extra files, stdin, expected output) and infers the language from the extension when not given.
 * Without --stdin, `pipedStdin` (this process's stdin when it is a pipe or file, not a terminal) is the program's stdin,
 * so `echo 1 2 | runlane run add.py` works.
 */
export async function buildRunRequest(file: string, args: string[], flags: RunFlags, pipedStdin: NodeJS.ReadableStream | null = null): Promise<RequestDraft> {
  const language = flags.lang ?? languageForFile(CATALOGUE, file)?.id;
  if (!language) {
    throw new AppError(ENGINE_ERRORS.unknownLanguage, `cannot tell the language of ${basename(file)} from its extension; name it with --lang (see \`runlane languages\`)`);
  }
  const paths = [file, ...(flags.file ?? [])];
  const files = await Promise.all(paths.map(async (path) => ({ name: basename(path), content: await readText(path) })));
  const stdin = flags.stdin !== undefined ? await readText(flags.stdin) : pipedStdin ? await readText('-', pipedStdin) : '';
  const expectedOutput = flags.expect === undefined ? null : await readText(flags.expect);
  return {
    language,
    files,
    entry: files[0]!.name,
    stdin,
    args,
    testCases: expectedOutput === null ? [] : [{ stdin, expectedOutput }],
    compareMode: flags.exact ? 'exact' : 'trimmed',
    // Raw bytes reach the terminal unchanged; JSON needs text.
    outputEncoding: flags.json ? 'utf8' : 'base64',
  };
}

async function readText(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  try {
    return path === '-' ? await readStream(stdin) : await readFile(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function seconds(text: string, flag: string): number {
  return Math.round(positive(text, flag) * 1000);
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new CliUsageError(`${flag} must be a positive number (got ${JSON.stringify(text)})`);
  return value;
}

function positiveInteger(text: string, flag: string): number {
  const value = positive(text, flag);
  if (!Number.isInteger(value)) throw new CliUsageError(`${flag} must be a whole number (got ${JSON.stringify(text)})`);
  return value;
}
