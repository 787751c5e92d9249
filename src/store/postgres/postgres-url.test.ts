// Tests how a postgres:// URL is split into the driver's part and Runlane's, and shown without its password.
import { describe, expect, it } from 'vitest';
import { parsePostgresUrl } from './postgres-url.js';

describe('parsePostgresUrl', () => {
  describe('when the URL carries schema and poolSize', () => {
    it('should take them out of what the driver sees and keep every other parameter', () => {
      const target = parsePostgresUrl('postgres://runlane:s%40cret@db:5433/runlane?sslmode=require&schema=tenant_a&poolSize=20');
      expect(target).toEqual({
        connectionString: 'postgres://runlane:s%40cret@db:5433/runlane?sslmode=require',
        schema: 'tenant_a',
        poolSize: 20,
        display: 'runlane@db:5433/runlane',
        password: 's@cret',
      });
    });
  });

  describe('when the URL names neither', () => {
    it('should leave them to the options', () => {
      expect(parsePostgresUrl('postgresql://db/runlane')).toMatchObject({ schema: null, poolSize: null, display: 'db/runlane', password: null });
    });
  });

  describe('when a value is malformed', () => {
    it.each([
      ['not a URL', 'postgres://'],
      ['a schema with capitals', 'postgres://db/x?schema=Tenant'],
      ['a schema with quotes', 'postgres://db/x?schema=a%22b'],
      ['a schema starting with a digit', 'postgres://db/x?schema=1abc'],
      ['a pool size of zero', 'postgres://db/x?poolSize=0'],
      ['a pool size that is not a number', 'postgres://db/x?poolSize=many'],
    ])('should refuse %s with RUNLANE_ERR_CONFIG_INVALID, without echoing the password', (_what, url) => {
      const withPassword = url.replace('postgres://', 'postgres://u:hunter2-secret@');
      let error: unknown;
      try {
        parsePostgresUrl(withPassword);
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'RUNLANE_ERR_CONFIG_INVALID', details: { key: 'database.url' } });
      expect((error as Error).message).not.toContain('hunter2-secret');
    });
  });
});
