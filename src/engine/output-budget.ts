// The output one submission may keep: the compiler's and every run's stdout + stderr share one byte budget.
import type { OutputEncoding } from '../domain/result.js';
import { decodeWithin, fitUtf8, type BoundedOutput } from './decode-output.js';

/**
 * Bytes held back for each stage that has not finished yet, so one early stage with a huge output cannot leave the
 * later ones nothing to show (at most the budget split evenly, when the budget is small).
 */
const STAGE_RESERVE_BYTES = 4096;

/** A stage's stdout and stderr as kept. */
export interface KeptOutput {
  stdout: BoundedOutput;
  stderr: BoundedOutput;
}

/** A text cut to fit, with its size as the budget counts it. */
export interface KeptText {
  text: string;
  truncated: boolean;
  size: number;
}

/**
 * Shares `totalBytes` of delivered text among the stages of one execution, in the order they finish. Sizes are those of
 * the delivered text: UTF-8 bytes, or base64 characters. What does not fit is dropped before it is decoded.
 */
export class OutputBudget {
  private remaining: number;
  private pending: number;
  private readonly reserve: number;
  private cut = false;

  /** `stages` is how many stages (compile + runs) will each hand their output in once. */
  constructor(totalBytes: number, stages: number) {
    this.remaining = Math.max(0, Math.floor(totalBytes));
    this.pending = Math.max(1, stages);
    this.reserve = Math.min(STAGE_RESERVE_BYTES, Math.floor(this.remaining / this.pending));
  }

  /** A budget that never cuts: for callers with nothing to bound (tests, tools). */
  static unlimited(): OutputBudget {
    return new OutputBudget(Number.MAX_SAFE_INTEGER, 1);
  }

  /** Whether any stage had output cut so far. */
  get truncated(): boolean {
    return this.cut;
  }

  /** Decodes a finished run's stdout and stderr, keeping what fits; the raw bytes past that are never decoded. */
  keep(stdout: Uint8Array, stderr: Uint8Array, encoding: OutputEncoding): KeptOutput {
    const available = this.open();
    const scale = encoding === 'base64' ? 4 / 3 : 1;
    const stdoutQuota = available - stderrShare(available, stdout.length * scale, stderr.length * scale);
    const out = decodeWithin(stdout, encoding, stdoutQuota);
    const err = decodeWithin(stderr, encoding, available - out.size);
    this.close(out.size + err.size, out.truncated || err.truncated);
    return { stdout: out, stderr: err };
  }

  /** The same for a stage whose output was decoded already (the compile stage comes from the compile cache as text). */
  keepText(stdout: string, stderr: string, encoding: OutputEncoding): { stdout: KeptText; stderr: KeptText } {
    const available = this.open();
    const stdoutQuota = available - stderrShare(available, textSize(stdout, encoding), textSize(stderr, encoding));
    const out = fitText(stdout, encoding, stdoutQuota);
    const err = fitText(stderr, encoding, available - out.size);
    this.close(out.size + err.size, out.truncated || err.truncated);
    return { stdout: out, stderr: err };
  }

  /** What the next stage may use: everything left but the reserve of the stages after it. */
  private open(): number {
    return Math.max(0, this.remaining - this.reserve * (this.pending - 1));
  }

  private close(used: number, truncated: boolean): void {
    this.remaining -= used;
    this.pending = Math.max(1, this.pending - 1);
    if (truncated) this.cut = true;
  }
}

/**
 * Bytes of `available` stderr may use when both streams do not fit: at least half, more if stdout needs less. Error
 * messages are usually short and say why a run failed, so a flood on stdout must not crowd them out.
 */
function stderrShare(available: number, stdoutSize: number, stderrSize: number): number {
  if (stdoutSize + stderrSize <= available) return stderrSize;
  return Math.min(stderrSize, Math.max(Math.floor(available / 2), available - stdoutSize));
}

function textSize(text: string, encoding: OutputEncoding): number {
  return encoding === 'base64' ? text.length : Buffer.byteLength(text);
}

function fitText(text: string, encoding: OutputEncoding, maxBytes: number): KeptText {
  const limit = Math.max(0, Math.floor(maxBytes));
  if (encoding === 'base64') {
    if (text.length <= limit) return { text, truncated: false, size: text.length };
    const kept = text.slice(0, limit - (limit % 4));
    return { text: kept, truncated: true, size: kept.length };
  }
  const size = Buffer.byteLength(text);
  if (size <= limit) return { text, truncated: false, size };
  const fitted = fitUtf8(text, limit);
  return { text: fitted.text, truncated: true, size: fitted.size };
}
