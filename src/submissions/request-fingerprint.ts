// The fingerprint of a submit request: sha256 of the canonical JSON of everything that determines the run.
import { createHash } from 'node:crypto';
import type { SubmitInput } from './types.js';

/**
 * Two requests with the same fingerprint would run the same way: language, version, files, entry, stdin, args, test
 * cases, limits, compare mode, output encoding, room, priority kind and title. Optional fields are normalised to their
 * defaults and object keys sorted, so `{ a, b }` and `{ b, a }`, or an absent and a null version, give the same hash.
 * The user is not part of it: a correlationId is already scoped to one user.
 */
export function requestFingerprint(input: SubmitInput): string {
  const { request } = input;
  const canonical = {
    language: request.language,
    version: request.version ?? null,
    files: request.files.map((file) => ({ name: file.name, content: file.content })),
    entry: request.entry ?? null,
    stdin: request.stdin,
    args: request.args,
    testCases: request.testCases.map((testCase) => ({ stdin: testCase.stdin, expectedOutput: testCase.expectedOutput ?? null })),
    limits: request.limits,
    compareMode: request.compareMode,
    outputEncoding: request.outputEncoding,
    roomId: input.roomId ?? null,
    priorityKind: input.priorityKind ?? 'run',
    title: input.title ?? null,
  };
  return createHash('sha256').update(canonicalJson(canonical), 'utf8').digest('hex');
}

/** JSON with object keys in sorted order and undefined members left out, so equal values always serialise alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}
