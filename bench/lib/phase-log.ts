// A debug-level logger for a sandbox under measurement that keeps the phase timings of each finished run (`…Ms` fields).
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { median } from './stats.js';

/** The message the run code logs with its phase timings at debug level. */
const RUN_FINISHED = 'sandbox run finished';

export interface PhaseLog {
  logger: Logger;
  /** Records only while true, so warm-up and concurrent rounds do not mix into the sequential figures. */
  recording: boolean;
  /** Median of each `…Ms` field over the recorded runs, and how many runs were recorded. */
  medians(): { runs: number; phases: Record<string, number> };
  /** The last error-level records (message and detail), recording or not: why a run failed, which the thrown error does not say. */
  errors(): string[];
}

export function phaseLog(): PhaseLog {
  const records: Record<string, number>[] = [];
  const errors: string[] = [];
  let pending = '';
  const log: PhaseLog = {
    recording: false,
    logger: createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          pending += chunk.toString();
          const lines = pending.split('\n');
          pending = lines.pop()!;
          for (const line of lines) {
            if (line.includes('"level":50') || line.includes('"level":60')) {
              errors.push(line.slice(0, 2000));
              if (errors.length > 5) errors.shift();
            }
            if (!log.recording || !line.includes(RUN_FINISHED)) continue;
            const record = JSON.parse(line) as Record<string, unknown>;
            if (record.msg !== RUN_FINISHED) continue;
            records.push(Object.fromEntries(Object.entries(record).filter((entry): entry is [string, number] => entry[0].endsWith('Ms') && typeof entry[1] === 'number')));
          }
          done();
        },
      }),
    }),
    errors: () => [...errors],
    medians() {
      const names = [...new Set(records.flatMap((record) => Object.keys(record)))];
      return { runs: records.length, phases: Object.fromEntries(names.map((phase) => [phase, median(records.map((record) => record[phase]!).filter((value) => value !== undefined))])) };
    },
  };
  return log;
}
