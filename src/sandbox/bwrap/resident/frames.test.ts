// Unit tests of the resident frame protocol: encoding, splitting and incremental decoding.
import { describe, expect, it } from 'vitest';
import { FRAME, FrameDecoder, MAX_DATA_CHUNK, MAX_FRAME_BODY, encodeDataFrames, encodeFrame } from './frames.js';

describe('encodeFrame', () => {
  it('should write the length of type and payload, little-endian, then the type byte', () => {
    expect([...encodeFrame(FRAME.signal, '15')]).toEqual([3, 0, 0, 0, 0x53, 0x31, 0x35]);
    expect([...encodeFrame(FRAME.park)]).toEqual([1, 0, 0, 0, 0x50]);
  });

  it('should refuse a payload larger than the protocol allows', () => {
    expect(() => encodeFrame(FRAME.job, Buffer.alloc(MAX_FRAME_BODY))).toThrow(/exceeds/);
    expect(encodeFrame(FRAME.job, Buffer.alloc(MAX_FRAME_BODY - 1)).length).toBe(MAX_FRAME_BODY + 4);
  });
});

describe('encodeDataFrames', () => {
  it('should split data into chunks of at most 64 KiB', () => {
    const frames = encodeDataFrames(FRAME.stdin, Buffer.alloc(MAX_DATA_CHUNK * 2 + 1, 7));
    expect(frames.map((frame) => frame.readUInt32LE(0) - 1)).toEqual([MAX_DATA_CHUNK, MAX_DATA_CHUNK, 1]);
    expect(encodeDataFrames(FRAME.stdin, Buffer.alloc(0))).toEqual([]);
  });
});

describe('FrameDecoder', () => {
  it('should decode frames split at every byte boundary', () => {
    const stream = Buffer.concat([encodeFrame(FRAME.parked, '42'), encodeFrame(FRAME.started), encodeFrame(FRAME.stdout, 'hello\n')]);
    for (let step = 1; step <= stream.length; step++) {
      const decoder = new FrameDecoder();
      const frames = [];
      for (let at = 0; at < stream.length; at += step) frames.push(...decoder.push(stream.subarray(at, at + step)));
      expect(frames.map((frame) => [frame.type, frame.payload.toString()])).toEqual([['p', '42'], ['s', ''], ['o', 'hello\n']]);
      expect(decoder.buffered).toBe(0);
    }
  });

  it('should hold back an incomplete frame', () => {
    const decoder = new FrameDecoder();
    const frame = encodeFrame(FRAME.ended, 'exit 0 clean');
    expect(decoder.push(frame.subarray(0, 7))).toEqual([]);
    expect(decoder.buffered).toBe(7);
    expect(decoder.push(frame.subarray(7))[0]!.payload.toString()).toBe('exit 0 clean');
  });

  it('should reject a zero or oversized length', () => {
    expect(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 0, 0x52]))).toThrow(/out of range/);
    const big = Buffer.alloc(5);
    big.writeUInt32LE(MAX_FRAME_BODY + 1, 0);
    expect(() => new FrameDecoder().push(big)).toThrow(/out of range/);
  });
});
