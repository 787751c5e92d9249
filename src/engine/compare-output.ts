// Compares a program's output with the expected output: trailing whitespace ignored, or byte-exact on request.
import type { CompareMode } from '../domain/submission.js';

export interface Comparison {
  equal: boolean;
  /** 1-based line of the first difference, when not equal. */
  firstDifferentLine: number | null;
}

const NEWLINE = 0x0a;

/**
 * `trimmed`: trailing spaces, tabs, `\r`, `\f` and `\v` of every line are ignored, and so are trailing empty lines,
 * so a missing final newline or Windows line endings never fail an answer. `exact`: the bytes must be identical.
 *
 * Works on the raw bytes, line by line, and stops at the first difference: the output may be tens of megabytes and is
 * never decoded or split into lines as a whole. Output that is not valid UTF-8 never equals an expected text.
 */
export function compareOutput(actual: Uint8Array | string, expected: string, mode: CompareMode): Comparison {
  const actualBytes = typeof actual === 'string' ? Buffer.from(actual) : asBuffer(actual);
  const expectedBytes = Buffer.from(expected);
  return mode === 'exact' ? compareExact(actualBytes, expectedBytes) : compareTrimmed(actualBytes, expectedBytes);
}

function compareExact(actual: Buffer, expected: Buffer): Comparison {
  if (actual.equals(expected)) return { equal: true, firstDifferentLine: null };
  const a = new LineReader(actual);
  const e = new LineReader(expected);
  for (let line = 1; ; line++) {
    const [aStart, aEnd] = a.next(false);
    const [eStart, eEnd] = e.next(false);
    // Both exhausted cannot happen here: the buffers differ, so some line (or a missing one) differs first.
    if (aStart < 0 || eStart < 0 || actual.compare(expected, eStart, eEnd, aStart, aEnd) !== 0) return { equal: false, firstDifferentLine: line };
  }
}

function compareTrimmed(actual: Buffer, expected: Buffer): Comparison {
  const a = new LineReader(actual);
  const e = new LineReader(expected);
  // First line of the current run of lines blank on both sides: a side whose output ends in that run ended there.
  let blankSince: number | null = null;
  for (let line = 1; ; line++) {
    const [aStart, aEnd] = a.next(true);
    const [eStart, eEnd] = e.next(true);
    const aBlank = aStart === aEnd;
    const eBlank = eStart === eEnd;
    if (aBlank && eBlank) {
      // Once one side has no lines left, only the rest of the other decides: no need to walk it line by line.
      if (aStart < 0 || eStart < 0) {
        const rest = aStart < 0 ? e : a;
        return rest.restIsBlank() ? { equal: true, firstDifferentLine: null } : { equal: false, firstDifferentLine: blankSince ?? line };
      }
      blankSince ??= line;
      continue;
    }
    if (!aBlank && !eBlank && actual.compare(expected, eStart, eEnd, aStart, aEnd) === 0) {
      blankSince = null;
      continue;
    }
    // A blank line against a non-blank one: if the blank side has only blank lines left, it ended where its blank run began.
    const blankSide = aBlank ? a : eBlank ? e : null;
    return { equal: false, firstDifferentLine: blankSide?.restIsBlank() ? (blankSince ?? line) : line };
  }
}

/** Walks a buffer line by line (split on `\n`, like String.split), without copying. */
class LineReader {
  private position = 0;
  private done = false;

  constructor(private readonly bytes: Buffer) {}

  /** `[start, end)` of the next line, trailing whitespace cut when `trim`; `[-1, -1]` (an empty range) once there are no more lines. */
  next(trim: boolean): [number, number] {
    if (this.done) return [-1, -1];
    const start = this.position;
    const newline = this.bytes.indexOf(NEWLINE, start);
    let end = newline < 0 ? this.bytes.length : newline;
    if (newline < 0) this.done = true;
    else this.position = newline + 1;
    if (trim) while (end > start && isTrailingSpace(this.bytes[end - 1]!)) end -= 1;
    return [start, end];
  }

  /** Whether everything not read yet is whitespace and newlines (checked from the current position to the end). */
  restIsBlank(): boolean {
    if (this.done) return true;
    for (let index = this.position; index < this.bytes.length; index++) {
      const byte = this.bytes[index]!;
      if (byte !== NEWLINE && !isTrailingSpace(byte)) return false;
    }
    return true;
  }
}

/** Space, `\t`, `\v`, `\f` and `\r`: what `trimmed` ignores at the end of a line. */
function isTrailingSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d && byte !== NEWLINE);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
