// Wording of configuration errors: the specific problem inside a union, and values shown only when they hold no secret.
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { describeConfigError, withoutPassword } from './describe-error.js';

function firstProblem(schema: Parameters<typeof Value.Errors>[0], value: unknown) {
  const error = Value.Errors(schema, value).First();
  if (!error) throw new Error('expected the value to be invalid');
  return describeConfigError(error);
}

describe('describeConfigError', () => {
  it('should report the minLength of a nullable string instead of the failed union', () => {
    const schema = Type.Object({ name: Type.Union([Type.String({ minLength: 4 }), Type.Null()]) });
    expect(firstProblem(schema, { name: 'ab' })).toEqual({ key: 'name', problem: 'must be at least 4 characters', shown: ' (got "ab")' });
  });

  it('should mask the password of a URL it shows', () => {
    const schema = Type.Object({ database: Type.Object({ url: Type.String({ pattern: '^sqlite:' }) }) });
    const problem = firstProblem(schema, { database: { url: 'postgres://runlane:hunter2-password@db.internal/runlane' } });
    expect(problem.shown).not.toContain('hunter2');
    expect(problem.shown).toContain('postgres://runlane:***@db.internal/runlane');
  });

  it.each(['password', 'dbPassword', 'refreshToken', 'clientSecret', 'signingKey'])('should never show the value of a key named %s', (name) => {
    const schema = Type.Object({ [name]: Type.String({ minLength: 40 }) });
    const problem = firstProblem(schema, { [name]: 'the-actual-credential' });
    expect(`${problem.problem}${problem.shown}`).not.toContain('the-actual-credential');
    expect(problem.problem).toBe('must be at least 40 characters');
  });
});

describe('withoutPassword', () => {
  it.each([
    ['redis://:s3cret@cache:6379/0', 'redis://:***@cache:6379/0'],
    ['postgres://user@db/x', 'postgres://user@db/x'],
    ['not a url', 'not a url'],
  ])('should turn %s into %s', (input, output) => {
    expect(withoutPassword(input)).toBe(output);
  });
});
