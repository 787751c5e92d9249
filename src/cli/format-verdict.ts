// The one-line verdict `runlane run` prints after the program's output.
import type { ExecutionResult } from '../domain/result.js';

/** `accepted · 12 ms CPU · 35 ms wall · 8.2 MB · compiled in 310 ms`, with the reason when there is one. */
export function formatVerdictLine(result: ExecutionResult): string {
  const parts = [result.message ? `${result.verdict} (${result.message})` : result.verdict];
  if (result.verdict !== 'compilation_error') {
    parts.push(`${result.cpuTimeMs} ms CPU`, `${result.wallTimeMs} ms wall`, formatMemory(result.memoryKb));
  }
  if (result.compile) parts.push(result.compileCached ? 'compile cached' : `compiled in ${result.compile.wallTimeMs} ms`);
  if (result.testCases.some((testCase) => testCase.invalidUtf8)) parts.push('output was not valid UTF-8');
  if (result.outputTruncated) parts.push('output cut to limits.maxSubmissionOutputBytes');
  return parts.join(' · ');
}

/** KiB as a short human figure. */
export function formatMemory(memoryKb: number): string {
  if (memoryKb < 1024) return `${memoryKb} KB`;
  return `${(memoryKb / 1024).toFixed(1)} MB`;
}
