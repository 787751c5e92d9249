// The contract stays importable on its own: nothing internal leaks in, and old field names live in one module only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withPositionAlias, withRoomPositionAlias, withSeedAliases } from './seed-aliases.js';

const SRC = new URL('../', import.meta.url).pathname;

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Pure domain tables (limit fields, statuses, verdicts) are the only modules outside the contract it may use. */
const DOMAIN_TABLES = ['domain/limits.js', 'domain/lifecycle.js', 'domain/verdict.js'];

/** Whether a contract module may import `specifier`: TypeBox, its own modules, or a pure domain table. */
function contractMayImport(file: string, specifier: string): boolean {
  if (specifier === '@sinclair/typebox') return true;
  if (!specifier.startsWith('.')) return false;
  const target = relative(SRC, join(file, '..', specifier));
  return target.startsWith('contract/') || DOMAIN_TABLES.includes(target);
}

describe('src/contract', () => {
  it('should import only itself, TypeBox and the pure domain tables', () => {
    const file = join(SRC, 'contract/realtime.ts');
    expect(contractMayImport(file, '../domain/submission.js')).toBe(false);
    expect(contractMayImport(file, '../rooms/presence.js')).toBe(false);
    expect(contractMayImport(file, 'fastify')).toBe(false);
    for (const module of sources(join(SRC, 'contract'))) {
      for (const [, specifier] of readFileSync(module, 'utf8').matchAll(/from '([^']+)'/g)) {
        expect(contractMayImport(module, specifier!), `${relative(SRC, module)} imports ${specifier}`).toBe(true);
      }
    }
  });

  it('should be the only place rooms and REST write the old names `username` and `position`', () => {
    // client-payloads.ts describes what clients send (seed 003's claimed `username` is read there), never what is written.
    const readsOnly = new Set([join(SRC, 'rooms/client-payloads.ts')]);
    const mappers = [...sources(join(SRC, 'rooms')), ...sources(join(SRC, 'http/routes')), ...sources(join(SRC, 'http/mappers'))].filter((file) => !readsOnly.has(file));
    expect(mappers.length).toBeGreaterThan(10);
    for (const file of mappers) {
      const text = readFileSync(file, 'utf8');
      expect(text, relative(SRC, file)).not.toMatch(/\busername:/);
    }
  });
});

describe('seed aliases', () => {
  it('should name the room place `position` in rooms, falling back to the node place outside one', () => {
    expect(withRoomPositionAlias({ roomPosition: 2, queuePosition: 7 })).toEqual({ roomPosition: 2, queuePosition: 7, position: 2 });
    expect(withRoomPositionAlias({ roomPosition: null, queuePosition: 7 }).position).toBe(7);
    expect(withSeedAliases({ displayName: 'Ada', roomPosition: null, queuePosition: null, timestamps: { startedAt: null } })).toMatchObject({ username: 'Ada', position: null, startTime: null });
  });

  it('should keep REST `position` as the node-wide queuePosition', () => {
    expect(withPositionAlias({ queuePosition: 3 })).toEqual({ queuePosition: 3, position: 3 });
  });
});
