// The frame protocol between the server and a resident sandbox's PID 1 (native/resident-init.c): encoder and incremental decoder.

/** Largest frame body (type byte + payload) either side accepts. */
export const MAX_FRAME_BODY = 1024 * 1024 + 1;
/** Largest payload of one stdin, stdout or stderr frame; longer data is split. */
export const MAX_DATA_CHUNK = 64 * 1024;

/** Frame types, one byte each; upper case mostly server → init, lower case mostly init → server. */
export const FRAME = {
  hello: 'H',
  park: 'P',
  job: 'J',
  stdin: 'I',
  stdinEof: 'i',
  kill: 'K',
  signal: 'S',
  ready: 'R',
  parked: 'p',
  started: 's',
  execFailed: 'x',
  stdout: 'o',
  stderr: 'r',
  ended: 'E',
  fatal: 'F',
} as const;

export type FrameType = (typeof FRAME)[keyof typeof FRAME];

export interface Frame {
  type: string;
  payload: Buffer;
}

/** One frame: u32 little-endian length of what follows, the type byte, the payload. */
export function encodeFrame(type: FrameType, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (body.length + 1 > MAX_FRAME_BODY) throw new Error(`frame payload of ${body.length} bytes exceeds the protocol maximum`);
  const frame = Buffer.allocUnsafe(5 + body.length);
  frame.writeUInt32LE(body.length + 1, 0);
  frame.write(type, 4, 'latin1');
  body.copy(frame, 5);
  return frame;
}

/** Data frames (stdin) of at most MAX_DATA_CHUNK bytes each. */
export function encodeDataFrames(type: FrameType, data: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let at = 0; at < data.length; at += MAX_DATA_CHUNK) frames.push(encodeFrame(type, data.subarray(at, at + MAX_DATA_CHUNK)));
  return frames;
}

/**
 * Reassembles frames from stream chunks of any size. Bytes are copied only while a frame is incomplete, so a chunk holding
 * whole frames is sliced without copying. Throws on a length the protocol never produces (a broken peer).
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Frame[] = [];
    while (data.length >= 4) {
      const size = data.readUInt32LE(0);
      if (size === 0 || size > MAX_FRAME_BODY) throw new Error(`frame length ${size} out of range`);
      if (data.length < 4 + size) break;
      frames.push({ type: String.fromCharCode(data[4]!), payload: data.subarray(5, 4 + size) });
      data = data.subarray(4 + size);
    }
    // Copied so that a kept tail does not pin the whole (possibly large) chunk it came in.
    this.pending = Buffer.from(data);
    return frames;
  }

  /** Bytes of an incomplete frame held back. */
  get buffered(): number {
    return this.pending.length;
  }
}
