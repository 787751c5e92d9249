// Parsing the prologue's ready line and bwrap's JSON status objects, however the stream is chunked.
import { describe, expect, it, vi } from 'vitest';
import { StatusReader } from './status-reader.js';

describe('StatusReader', () => {
  describe('when the stream arrives in arbitrary chunks', () => {
    it('should see ready, the child pid and the exit code', () => {
      const onChange = vi.fn();
      const reader = new StatusReader(onChange);
      const text = 'ready\n{ "child-pid": 4242, "pid-namespace": 1 }\n{ "exit-code": 3 }\n';
      for (const char of text) reader.push(char);
      expect(reader).toMatchObject({ ready: true, childPid: 4242, exitCode: 3 });
      expect(onChange).toHaveBeenCalledTimes(2);
    });
  });

  describe('when the last object has no newline', () => {
    it('should still parse it', () => {
      const reader = new StatusReader();
      reader.push('{ "exit-code": 0 }');
      expect(reader.exitCode).toBe(0);
    });
  });

  describe('when a line is not JSON', () => {
    it('should ignore it', () => {
      const reader = new StatusReader();
      reader.push('garbage\n{"child-pid":"not a number"}\n');
      expect(reader).toMatchObject({ ready: false, childPid: null, exitCode: null });
    });
  });
});
