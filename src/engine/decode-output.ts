// Turns a program's raw output bytes into text that is always safe to store and send, within a size when asked.
import { isAscii, isUtf8 } from 'node:buffer';
import type { OutputEncoding } from '../domain/result.js';

const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

export interface DecodedOutput {
  text: string;
  /** The bytes were not valid UTF-8 (in utf8 mode the bad sequences became U+FFFD). */
  invalidUtf8: boolean;
}

/** Output decoded within a size: the text, whether it is all of the bytes, and how many bytes the text takes. */
export interface BoundedOutput extends DecodedOutput {
  /** The text holds only the start of the bytes: the rest did not fit. */
  truncated: boolean;
  /** Size of the delivered text: its UTF-8 bytes (utf8 mode) or its characters (base64). Never above the bound. */
  size: number;
}

/** Decodes as UTF-8 with replacement characters, or base64 of the raw bytes on request; never throws on any byte sequence. */
export function decodeOutput(bytes: Uint8Array, encoding: OutputEncoding): DecodedOutput {
  const invalidUtf8 = !isUtf8(bytes);
  if (encoding === 'base64') return { text: asBuffer(bytes).toString('base64'), invalidUtf8 };
  return { text: decodeUtf8(bytes), invalidUtf8 };
}

/**
 * Like decodeOutput, but the delivered text takes at most `maxBytes` (see `BoundedOutput.size`). Only the bytes that can
 * fit are decoded, so a huge output never becomes a huge string. A cut never splits a UTF-8 character (or, in base64, a
 * 3-byte group); `invalidUtf8` always describes all of the bytes.
 */
export function decodeWithin(bytes: Uint8Array, encoding: OutputEncoding, maxBytes: number): BoundedOutput {
  const invalidUtf8 = !isUtf8(bytes);
  const limit = Math.max(0, Math.floor(maxBytes));
  if (encoding === 'base64') {
    const keep = Math.min(bytes.length, Math.floor(limit / 4) * 3);
    const text = asBuffer(bytes).subarray(0, keep).toString('base64');
    return { text, invalidUtf8, truncated: keep < bytes.length, size: text.length };
  }
  const keep = utf8Boundary(bytes, Math.min(bytes.length, limit));
  const text = decodeUtf8(bytes.subarray(0, keep));
  // Valid bytes decode to exactly as many UTF-8 bytes; invalid ones may grow (one bad byte becomes a 3-byte U+FFFD).
  const size = invalidUtf8 ? Buffer.byteLength(text) : keep;
  if (size <= limit) return { text, invalidUtf8, truncated: keep < bytes.length, size };
  const fitted = fitUtf8(text, limit);
  return { text: fitted.text, invalidUtf8, truncated: true, size: fitted.size };
}

/** The longest start of `text` whose UTF-8 form takes at most `maxBytes`, never ending inside a character. */
export function fitUtf8(text: string, maxBytes: number): { text: string; size: number } {
  const limit = Math.max(0, Math.floor(maxBytes));
  // A string of n UTF-16 units takes at least n bytes, so only the first `limit` units can matter. A pair cut in two
  // by that slice leaves its high half last, with at most one byte of room left: encodeInto never takes it.
  const candidate = text.length > limit ? text.slice(0, limit) : text;
  const { read, written } = utf8Encoder.encodeInto(candidate, new Uint8Array(limit));
  return { text: candidate.slice(0, read), size: written };
}

/** Text for comparisons and pattern matching, whatever the delivery encoding. */
export function outputAsText(bytes: Uint8Array): string {
  return decodeUtf8(bytes);
}

/**
 * Lenient UTF-8 decoding. Program output is mostly ASCII, whose UTF-8 and Latin-1 readings are the same string: Latin-1
 * is a plain copy into a one-byte string, many times faster than the UTF-8 decoder over megabytes, and the SIMD
 * ASCII check costs little next to it: 16 MB of ASCII took 2 ms this way against 66 ms through TextDecoder.
 */
function decodeUtf8(bytes: Uint8Array): string {
  return isAscii(bytes) ? asBuffer(bytes).toString('latin1') : lenientUtf8.decode(bytes);
}

/** `end` moved back (by at most 3 bytes) so that the bytes before it do not stop inside a multi-byte UTF-8 character. */
function utf8Boundary(bytes: Uint8Array, end: number): number {
  if (end >= bytes.length) return end;
  let boundary = end;
  // A continuation byte (10xxxxxx) at the cut means the character it belongs to started before the cut.
  while (boundary > 0 && end - boundary < 3 && (bytes[boundary]! & 0xc0) === 0x80) boundary -= 1;
  return (bytes[boundary]! & 0xc0) === 0x80 ? end : boundary;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
