// The database URL picks SQLite (default file, explicit file, memory) or PostgreSQL, and rejects anything else.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDatabaseTarget } from './database-url.js';

describe('resolveDatabaseTarget', () => {
  describe('when no URL is configured', () => {
    it('should use runlane.db in the data directory', () => {
      expect(resolveDatabaseTarget(null, 'data')).toEqual({ kind: 'sqlite', path: join('data', 'runlane.db') });
      expect(resolveDatabaseTarget('  ', 'data')).toEqual({ kind: 'sqlite', path: join('data', 'runlane.db') });
    });
  });

  describe('when the URL names SQLite', () => {
    it('should take the path after the scheme', () => {
      expect(resolveDatabaseTarget('sqlite:state/app.db', 'data')).toEqual({ kind: 'sqlite', path: 'state/app.db' });
      expect(resolveDatabaseTarget('sqlite:///srv/runlane/app.db', 'data')).toEqual({ kind: 'sqlite', path: '/srv/runlane/app.db' });
      expect(resolveDatabaseTarget('sqlite::memory:', 'data')).toEqual({ kind: 'sqlite', path: ':memory:' });
    });
  });

  describe('when the URL names PostgreSQL', () => {
    it('should keep the URL whole', () => {
      const url = 'postgresql://runlane:secret@db:5432/runlane';
      expect(resolveDatabaseTarget(url, 'data')).toEqual({ kind: 'postgres', url });
    });
  });

  describe('when the URL is anything else', () => {
    it('should throw RUNLANE_ERR_CONFIG_INVALID', () => {
      for (const url of ['mysql://db/runlane', 'sqlite:', 'runlane.db']) {
        expect(() => resolveDatabaseTarget(url, 'data')).toThrow(expect.objectContaining({ code: 'RUNLANE_ERR_CONFIG_INVALID' }));
      }
    });
  });
});
