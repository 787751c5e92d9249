// Unit tests of the job payload sent to a resident's PID 1.
import { describe, expect, it } from 'vitest';
import { encodeJob, type ResidentJob } from './job-payload.js';

const job: ResidentJob = {
  argv: ['python3', '-c', 'print(1)'],
  env: { PATH: '/usr/bin:/bin', HOME: '/box' },
  rlimits: { cpuSeconds: 3, fileSizeBytes: 1 << 20, openFiles: 64, stackBytes: 8 << 20, addressSpaceBytes: null, processes: null },
  outputBytes: 1000,
};

describe('encodeJob', () => {
  it('should write the header, the argv and the environment as NUL-terminated items', () => {
    expect(encodeJob(job).toString().split('\0')).toEqual([
      `3 ${1 << 20} 64 ${8 << 20} - - 1000 3 2`,
      'python3', '-c', 'print(1)',
      'PATH=/usr/bin:/bin', 'HOME=/box',
      '',
    ]);
  });

  it('should write the address space and process limits when they are set', () => {
    const header = encodeJob({ ...job, rlimits: { ...job.rlimits, addressSpaceBytes: 1024, processes: 7 } }).toString().split('\0')[0];
    expect(header).toBe(`3 ${1 << 20} 64 ${8 << 20} 1024 7 1000 3 2`);
  });

  it('should refuse what PID 1 would refuse', () => {
    expect(() => encodeJob({ ...job, argv: [] })).toThrow(/program/);
    expect(() => encodeJob({ ...job, argv: ['a\0b'] })).toThrow(/NUL/);
    expect(() => encodeJob({ ...job, env: { 'A=B': 'x' } })).toThrow(/name/);
    expect(() => encodeJob({ ...job, env: { A: 'x\0' } })).toThrow(/NUL/);
    expect(() => encodeJob({ ...job, outputBytes: -1 })).toThrow(/non-negative/);
    expect(() => encodeJob({ ...job, rlimits: { ...job.rlimits, cpuSeconds: 1.5 } })).toThrow(/integer/);
  });
});
