// One byte budget shared by stdout and stderr, enforced while streaming.
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { OutputCapture } from './output-capture.js';

describe('OutputCapture', () => {
  describe('when output stays within the budget', () => {
    it('should keep everything and forward it to the live streams', async () => {
      const onExceeded = vi.fn();
      const capture = new OutputCapture(100, onExceeded);
      const out = new PassThrough();
      const err = new PassThrough();
      capture.attach(out, 'stdout');
      capture.attach(err, 'stderr');
      const live: string[] = [];
      capture.stdout.on('data', (chunk: Buffer) => live.push(chunk.toString()));
      out.write('hello ');
      err.write('oops');
      out.end('world');
      err.end();
      await new Promise((resolve) => capture.stdout.on('end', resolve));
      expect(capture.result()).toEqual({ stdout: Buffer.from('hello world'), stderr: Buffer.from('oops') });
      expect(live.join('')).toBe('hello world');
      expect(onExceeded).not.toHaveBeenCalled();
    });
  });

  describe('when stdout and stderr together pass the budget', () => {
    it('should keep exactly the budget, signal once and drop the rest', () => {
      const onExceeded = vi.fn();
      const capture = new OutputCapture(10, onExceeded);
      const out = new PassThrough();
      const err = new PassThrough();
      capture.attach(out, 'stdout');
      capture.attach(err, 'stderr');
      out.write('123456');
      err.write('7890abc');
      out.write('more');
      const { stdout, stderr } = capture.result();
      expect(stdout.toString()).toBe('123456');
      expect(stderr.toString()).toBe('7890');
      expect(capture.limitExceeded).toBe(true);
      expect(onExceeded).toHaveBeenCalledTimes(1);
    });
  });
});

describe('OutputCapture with megabytes of output', () => {
  it('should keep every byte in order and hand them over without copying them again', () => {
    const capture = new OutputCapture(8 * 1024 * 1024, vi.fn());
    const out = new PassThrough();
    capture.attach(out, 'stdout');
    const chunks = Array.from({ length: 100 }, (_, index) => Buffer.alloc(64 * 1024, index));
    for (const chunk of chunks) out.write(chunk);
    const first = capture.result().stdout;
    expect(first.equals(Buffer.concat(chunks))).toBe(true);
    // A view of the kept bytes: asking twice shares the memory.
    expect(capture.result().stdout.buffer).toBe(first.buffer);
  });
});
