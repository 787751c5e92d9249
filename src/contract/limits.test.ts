// The limits table is the only place limit fields are spelled out: config, REST and socket schemas all follow it.
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { defaultLimits, LIMIT_FIELDS, LIMIT_KEYS, type ResourceLimits } from '../domain/limits.js';
import { LimitsBody } from './rest/submission-request.js';
import { LanguagesJson } from './rest/service.js';
import { LimitsPayload } from '../rooms/client-payloads.js';
import { limitSetSchema, requestedLimitsSchema } from './limits.js';

describe('LIMIT_FIELDS', () => {
  it('should name every ResourceLimits field once', () => {
    const every: Record<keyof ResourceLimits, true> = {
      cpuTimeMs: true, wallTimeMs: true, memoryMb: true, processes: true, outputBytes: true, fileSizeBytes: true, workDirMb: true, openFiles: true, stackMb: true,
    };
    expect([...LIMIT_KEYS].sort()).toEqual(Object.keys(every).sort());
    expect(new Set(LIMIT_KEYS).size).toBe(LIMIT_FIELDS.length);
  });

  it('should never default a run or compile above what a request may ask for at most', () => {
    for (const field of LIMIT_FIELDS) {
      expect(field.defaults.run, field.name).toBeLessThanOrEqual(field.defaults.max);
      expect(field.defaults.run, field.name).toBeGreaterThanOrEqual(field.min);
    }
  });
});

describe('when schemas are derived from the table', () => {
  it('should give the config the table\'s defaults and minima for each set', () => {
    const limits = ConfigSchema.properties.limits.properties;
    for (const set of ['run', 'compile', 'max'] as const) {
      const properties = limits[set].properties as Record<string, { default: number; minimum: number }>;
      expect(Object.keys(properties)).toEqual([...LIMIT_KEYS]);
      expect(Object.fromEntries(LIMIT_KEYS.map((key) => [key, properties[key]!.default]))).toEqual(defaultLimits(set));
    }
  });

  it('should accept the same fields in REST bodies, socket payloads and the languages reply', () => {
    for (const schema of [LimitsBody, LimitsPayload, requestedLimitsSchema(), limitSetSchema(), LanguagesJson.properties.maxLimits]) {
      expect(Object.keys(schema.properties)).toEqual([...LIMIT_KEYS]);
    }
    expect(LimitsBody.additionalProperties).toBe(false);
    expect(LimitsPayload.properties.memoryMb.minimum).toBe(1);
  });
});
