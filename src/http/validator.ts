// Request validation with TypeBox: bodies are never coerced, query and path values are converted; messages name what was expected.
import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, ValueErrorType, type ValueError } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';

/** At most this many problems are reported at once; a body wrong everywhere needs no thousand-line answer. */
const MAX_REPORTED_ERRORS = 20;

/** Field names clients of other services use, mapped to ours; named in the message when the schema has ours. */
const FIELD_SUGGESTIONS: Readonly<Record<string, string>> = { code: 'source' };

/** Fastify validator compiler: reports every problem (one per field, with its path), so the client can fix them all at once. */
export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  return (value: unknown) => {
    // A number where a string is expected is a client bug in a JSON body; in a URL everything is a string.
    const converted = httpPart === 'body' ? value : Value.Convert(schema, value);
    if (check.Check(converted)) return { value: converted };
    const issues = collectIssues(check.Errors(converted));
    return { error: (issues.length > 0 ? issues : [{ instancePath: '', message: 'is invalid' }]) as never };
  };
};

/** The first error of each path, in the order TypeBox reports them, up to {@link MAX_REPORTED_ERRORS}. */
export function collectIssues(errors: Iterable<ValueError>): Array<{ instancePath: string; message: string }> {
  const issues: Array<{ instancePath: string; message: string }> = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (seen.has(error.path)) continue;
    seen.add(error.path);
    issues.push({ instancePath: error.path, message: describeError(error) });
    if (issues.length === MAX_REPORTED_ERRORS) break;
  }
  return issues;
}

/** TypeBox's message, except for unions (`Expected union value`), missing fields and unknown fields, which get something a person can act on. */
export function describeError(error: ValueError): string {
  const options = (error.schema as { anyOf?: TSchema[] }).anyOf;
  if (options && error.message === 'Expected union value') return `Expected ${describeOptions(options)}`;
  if (error.message === 'Expected required property') return 'is required';
  if (error.type === ValueErrorType.ObjectAdditionalProperties) return describeUnknownField(error);
  return error.message;
}

function describeUnknownField(error: ValueError): string {
  const name = error.path.split('/').at(-1) ?? '';
  const suggestion = FIELD_SUGGESTIONS[name];
  const known = (error.schema as { properties?: Record<string, unknown> }).properties ?? {};
  if (suggestion !== undefined && suggestion in known && !(name in known)) return `is not a known field; did you mean \`${suggestion}\`?`;
  return 'is not a known field';
}

function describeOptions(options: TSchema[]): string {
  const names = options.map((option) => {
    if ('const' in option) return JSON.stringify(option.const);
    return typeof option.type === 'string' ? option.type : 'value';
  });
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}
