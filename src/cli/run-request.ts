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
