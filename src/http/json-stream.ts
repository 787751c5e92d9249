// Big JSON answers as a stream of small chunks: serialising megabytes of program output in one go would block the event loop.
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** Answers whose strings hold fewer characters than this are serialised the usual way (with the route's schema). */
export const STREAM_THRESHOLD_CHARS = 256 * 1024;
/** Characters per chunk: small enough that one chunk costs well under a millisecond to encode. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Returns `body` for Fastify to serialise when it is small, or streams it and returns the reply when it is big. The mappers
 * build exactly the public shape, so bypassing the response schema's serializer for big answers changes no field.
 */
export function replyJson<T>(reply: FastifyReply, body: T): T | FastifyReply {
  if (stringChars(body, STREAM_THRESHOLD_CHARS) < STREAM_THRESHOLD_CHARS) return body;
  return reply.type('application/json; charset=utf-8').send(Readable.from(jsonChunks(body), { objectMode: false }));
}

/** Characters in the value's strings, counted until `stopAt` is reached (the walk stops there). */
export function stringChars(value: unknown, stopAt: number): number {
  let total = 0;
  const walk = (node: unknown): void => {
    if (total >= stopAt) return;
    if (typeof node === 'string') total += node.length;
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(value);
  return total;
}

/**
 * The text `JSON.stringify(value)` would produce, as UTF-8 chunks of about `chunkChars` characters. Long strings are cut
 * into slices, never between the two halves of a surrogate pair, and each slice is escaped on its own.
 */
export function* jsonChunks(value: unknown, chunkChars = CHUNK_CHARS): Generator<Buffer> {
  let pending = '';
  function* write(text: string): Generator<Buffer> {
    pending += text;
    if (pending.length >= chunkChars) {
      yield Buffer.from(pending);
      pending = '';
    }
  }
  function* node(item: unknown): Generator<Buffer> {
    const plain = toPlain(item);
    if (typeof plain === 'string' && plain.length > chunkChars) {
      yield* write('"');
      for (let start = 0; start < plain.length; ) {
        let end = Math.min(start + chunkChars, plain.length);
        if (end < plain.length && isHighSurrogate(plain.charCodeAt(end - 1))) end -= 1;
        yield* write(JSON.stringify(plain.slice(start, end)).slice(1, -1));
        start = end;
      }
      yield* write('"');
    } else if (Array.isArray(plain)) {
      yield* write('[');
      for (let index = 0; index < plain.length; index += 1) {
        if (index > 0) yield* write(',');
        // As JSON.stringify does, an element that has no JSON form is written as null.
        yield* isSkipped(plain[index]) ? write('null') : node(plain[index]);
      }
      yield* write(']');
    } else if (plain !== null && typeof plain === 'object') {
      yield* write('{');
      let first = true;
      for (const [key, field] of Object.entries(plain)) {
        if (isSkipped(field)) continue;
        yield* write(`${first ? '' : ','}${JSON.stringify(key)}:`);
        first = false;
        yield* node(field);
      }
      yield* write('}');
    } else {
      yield* write(JSON.stringify(plain) ?? 'null');
    }
  }
  yield* node(value);
  if (pending.length > 0) yield Buffer.from(pending);
}

/** What JSON.stringify would serialise in place of the value (Dates and other objects with `toJSON`). */
function toPlain(value: unknown): unknown {
  const withToJson = value as { toJSON?: () => unknown } | null;
  return withToJson !== null && typeof withToJson === 'object' && typeof withToJson.toJSON === 'function' ? withToJson.toJSON() : value;
}

/** Values JSON.stringify leaves out of objects (and writes as null in arrays). */
function isSkipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
