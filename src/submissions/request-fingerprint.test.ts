// The request fingerprint: equal for requests that would run alike, different as soon as anything that shapes the run differs.
import { describe, expect, it } from 'vitest';
import type { Identity } from '../domain/identity.js';
import { executionRequest } from '../domain/submission.js';
import { canonicalJson, requestFingerprint } from './request-fingerprint.js';
import type { SubmitInput } from './types.js';

const ada: Identity = { userId: 'ada', displayName: 'Ada', avatar: null, role: 'user' };
const base = (): SubmitInput => ({ request: executionRequest('python', [{ name: 'main.py', content: 'print(1)' }]), user: ada, correlationId: 'c' });

describe('requestFingerprint', () => {
  it('should be a sha256 hex digest', () => {
    expect(requestFingerprint(base())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should not depend on key order, absent versus default optional fields, or who sends it', () => {
    const reordered: SubmitInput = {
      ...base(),
      request: { ...base().request, limits: { wallTimeMs: 1000, memoryMb: 64 }, version: undefined, entry: null },
      user: { ...ada, displayName: 'Ada L.' },
    };
    const same: SubmitInput = { ...base(), request: { ...base().request, limits: { memoryMb: 64, wallTimeMs: 1000 } }, roomId: null, priorityKind: 'run', title: null };
    expect(requestFingerprint(reordered)).toBe(requestFingerprint(same));
    expect(requestFingerprint({ ...base(), request: { ...base().request, testCases: [{ stdin: '1' }] } })).toBe(
      requestFingerprint({ ...base(), request: { ...base().request, testCases: [{ stdin: '1', expectedOutput: null }] } }),
    );
  });

  it.each<[string, (input: SubmitInput) => SubmitInput]>([
    ['language', (input) => ({ ...input, request: { ...input.request, language: 'ruby' } })],
    ['version', (input) => ({ ...input, request: { ...input.request, version: '3.12' } })],
    ['files', (input) => ({ ...input, request: { ...input.request, files: [{ name: 'main.py', content: 'print(2)' }] } })],
    ['entry', (input) => ({ ...input, request: { ...input.request, entry: 'main.py' } })],
    ['stdin', (input) => ({ ...input, request: { ...input.request, stdin: 'x' } })],
    ['args', (input) => ({ ...input, request: { ...input.request, args: ['-v'] } })],
    ['testCases', (input) => ({ ...input, request: { ...input.request, testCases: [{ stdin: '', expectedOutput: '1' }] } })],
    ['limits', (input) => ({ ...input, request: { ...input.request, limits: { cpuTimeMs: 100 } } })],
    ['compareMode', (input) => ({ ...input, request: { ...input.request, compareMode: 'exact' } })],
    ['outputEncoding', (input) => ({ ...input, request: { ...input.request, outputEncoding: 'base64' } })],
    ['roomId', (input) => ({ ...input, roomId: 'r1' })],
    ['priority kind', (input) => ({ ...input, priorityKind: 'submit' })],
    ['title', (input) => ({ ...input, title: 'Try 2' })],
  ])('should change with %s', (_field, change) => {
    expect(requestFingerprint(change(base()))).not.toBe(requestFingerprint(base()));
  });
});

describe('canonicalJson', () => {
  it('should sort keys at every depth and drop undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"f":2}]},"b":1}');
  });
});
