// Mapping bwrap's exit to the program's exit code or signal name.
import { describe, expect, it } from 'vitest';
import { interpretExit, signalName } from './exit-status.js';

describe('interpretExit', () => {
  describe('when bwrap exits normally with the program code', () => {
    it('should report the exit code', () => {
      expect(interpretExit(0, null)).toEqual({ exitCode: 0, signal: null });
      expect(interpretExit(3, null)).toEqual({ exitCode: 3, signal: null });
      expect(interpretExit(128, null)).toEqual({ exitCode: 128, signal: null });
    });
  });

  describe('when bwrap reports 128 + N (the program was killed by signal N)', () => {
    it('should report the signal name and no exit code', () => {
      expect(interpretExit(137, null)).toEqual({ exitCode: null, signal: 'SIGKILL' });
      expect(interpretExit(139, null)).toEqual({ exitCode: null, signal: 'SIGSEGV' });
      expect(interpretExit(153, null)).toEqual({ exitCode: null, signal: 'SIGXFSZ' });
    });
  });

  describe('when bwrap itself was killed', () => {
    it('should report that signal', () => {
      expect(interpretExit(null, 'SIGKILL')).toEqual({ exitCode: null, signal: 'SIGKILL' });
    });
  });

  describe('when the code is above any signal number', () => {
    it('should keep it as an exit code', () => {
      expect(interpretExit(250, null)).toEqual({ exitCode: 250, signal: null });
    });
  });
});

describe('signalName', () => {
  it('should name known signals and return null for unknown numbers', () => {
    expect(signalName(15)).toBe('SIGTERM');
    expect(signalName(99)).toBeNull();
  });
});

describe('when a signal has several names', () => {
  it('should use the usual one, never an alias', () => {
    const usual: [number, string][] = [[6, 'SIGABRT'], [7, 'SIGBUS'], [8, 'SIGFPE'], [9, 'SIGKILL'], [11, 'SIGSEGV'], [24, 'SIGXCPU'], [25, 'SIGXFSZ'], [29, 'SIGIO'], [31, 'SIGSYS']];
    for (const [number, name] of usual) {
      expect(signalName(number), String(number)).toBe(name);
      expect(interpretExit(128 + number, null).signal).toBe(name);
    }
  });

  it('should rename an alias Node reports for a signal it saw itself', () => {
    expect(interpretExit(null, 'SIGIOT')).toEqual({ exitCode: null, signal: 'SIGABRT' });
    expect(interpretExit(null, 'SIGPOLL')).toEqual({ exitCode: null, signal: 'SIGIO' });
  });
});
