// Turns a program's raw output bytes into text that is always safe to store and send.
import type { OutputEncoding } from '../domain/result.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export interface DecodedOutput {
  text: string;
  /** The bytes were not valid UTF-8 (in utf8 mode the bad sequences became U+FFFD). */
  invalidUtf8: boolean;
}

/** Decodes as UTF-8 with replacement characters, or base64 of the raw bytes on request; never throws on any byte sequence. */
export function decodeOutput(bytes: Uint8Array, encoding: OutputEncoding): DecodedOutput {
  const invalidUtf8 = !isValidUtf8(bytes);
  if (encoding === 'base64') return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), invalidUtf8 };
  return { text: lenientUtf8.decode(bytes), invalidUtf8 };
}

/** Text for comparisons and pattern matching, whatever the delivery encoding. */
export function outputAsText(bytes: Uint8Array): string {
  return lenientUtf8.decode(bytes);
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
