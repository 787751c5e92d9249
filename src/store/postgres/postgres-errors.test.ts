// Tests which pg failures mean "unavailable" and that no message carries the password.
import { describe, expect, it } from 'vitest';
import { isPostgresCorrelationConflict, translatePostgresError } from './postgres-errors.js';

const context = { display: 'runlane@db:5432/runlane', password: 'hunter2-secret' };

/** A pg DatabaseError as the driver builds it: message, SQLSTATE code, sometimes a constraint. */
function databaseError(message: string, code: string, constraint?: string): Error {
  return Object.assign(new Error(message), { code, ...(constraint ? { constraint } : {}) });
}

describe('translatePostgresError', () => {
  describe.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' }), 'connection refused'],
    ['a refused connection to both address families', Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], ''), {}), 'connection refused'],
    ['a failed password', databaseError('password authentication failed for user "runlane"', '28P01'), 'password authentication failed'],
    ['a missing database', databaseError('database "runlane" does not exist', '3D000'), 'does not exist'],
    ['a server shutting down', databaseError('terminating connection due to administrator command', '57P01'), 'administrator command'],
    ['a connect timeout', new Error('timeout exceeded when trying to connect'), 'timeout exceeded'],
    ['a store used after close', new Error('driver has already been destroyed'), 'destroyed'],
  ])('when the failure is %s', (_what, error, reason) => {
    it('should be RUNLANE_ERR_STORE_UNAVAILABLE naming the database and the reason', () => {
      const translated = translatePostgresError(error, 'read a submission', context);
      expect(translated).toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE', statusCode: 503, cause: error });
      expect(translated.message).toContain('runlane@db:5432/runlane could not read a submission');
      expect(translated.message).toContain(reason);
    });
  });

  describe('when the query itself is wrong', () => {
    it('should be RUNLANE_ERR_STORE_QUERY_FAILED with the SQLSTATE in the details', () => {
      const translated = translatePostgresError(databaseError('relation "submissions" does not exist', '42P01'), 'read a submission', context);
      expect(translated).toMatchObject({ code: 'RUNLANE_ERR_STORE_QUERY_FAILED', statusCode: 500, details: { postgresCode: '42P01' } });
    });
  });

  describe('when a server message repeats the password', () => {
    it('should scrub it', () => {
      const translated = translatePostgresError(databaseError('role "hunter2-secret" does not exist', '28000'), 'accept a connection', context);
      expect(translated.message).not.toContain('hunter2-secret');
      expect(translated.message).toContain('***');
    });
  });
});

describe('isPostgresCorrelationConflict', () => {
  describe('when the unique violation is the (user, correlationId) constraint', () => {
    it('should say so, and not for other unique violations', () => {
      expect(isPostgresCorrelationConflict(databaseError('duplicate key', '23505', 'submissions_user_correlation_unique'))).toBe(true);
      expect(isPostgresCorrelationConflict(databaseError('duplicate key', '23505', 'submissions_pkey'))).toBe(false);
      expect(isPostgresCorrelationConflict(databaseError('other', '23503', 'submissions_user_correlation_unique'))).toBe(false);
    });
  });
});
