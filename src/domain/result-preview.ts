// Cuts a finished result's texts down to a size, for list entries and room broadcasts that must stay small.
import type { ExecutionResult, StageResult, TestCaseResult } from './result.js';

/** Characters one list entry (history) keeps of all its output texts together; the full result is read by id. */
export const LIST_PREVIEW_CHARS = 4096;

/**
 * At most `maxChars` characters of `text`. The cut falls on a multiple of 4 characters, so base64 text still decodes,
 * and never between the halves of a surrogate pair, so the text stays valid Unicode.
 */
export function cutText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(0, Math.floor(maxChars) - (Math.floor(maxChars) % 4));
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return text.slice(0, end);
}

/**
 * A copy of the result whose texts (top-level stdout and stderr, the compile stage's, then each test case's stdout,
 * stderr and expected output, in that order) hold at most `maxChars` characters together. Each cut stage text is
 * marked (`stdoutTruncated`/`stderrTruncated`) and anything cut sets `outputTruncated`; figures and verdicts are kept.
 */
export function previewResult(result: ExecutionResult, maxChars: number): ExecutionResult {
  const budget = new CharBudget(maxChars);
  const stdout = budget.take(result.stdout);
  const stderr = budget.take(result.stderr);
  const compile = result.compile ? previewStage(result.compile, budget) : null;
  const testCases = result.testCases.map((testCase): TestCaseResult => {
    const stage = previewStage(testCase, budget);
    const expectedOutput = testCase.expectedOutput === null ? null : budget.take(testCase.expectedOutput);
    return { ...stage, index: testCase.index, expectedOutput };
  });
  const truncated = budget.cut || result.outputTruncated === true;
  const { outputTruncated: _previous, ...rest } = result;
  return { ...rest, stdout, stderr, compile, testCases, ...(truncated ? { outputTruncated: true } : {}) };
}

function previewStage<T extends StageResult>(stage: T, budget: CharBudget): T {
  const stdout = budget.take(stage.stdout);
  const stdoutCut = stdout.length < stage.stdout.length;
  const stderr = budget.take(stage.stderr);
  const stderrCut = stderr.length < stage.stderr.length;
  const { stdoutTruncated, stderrTruncated, ...rest } = stage;
  return {
    ...rest,
    stdout,
    stderr,
    ...(stdoutCut || stdoutTruncated ? { stdoutTruncated: true } : {}),
    ...(stderrCut || stderrTruncated ? { stderrTruncated: true } : {}),
  } as T;
}

/** Characters left for the texts of one preview, handed out in the order they are asked for. */
class CharBudget {
  cut = false;

  constructor(private remaining: number) {}

  take(text: string): string {
    const kept = cutText(text, this.remaining);
    this.remaining -= kept.length;
    if (kept.length < text.length) this.cut = true;
    return kept;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
