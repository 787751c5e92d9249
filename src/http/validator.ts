// Request validation with TypeBox: bodies are never coerced, query and path values are converted; messages name what was expected.
import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';

/** Fastify validator compiler: reports the first problem, with its path, so the client can fix one field at a time. */
export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  return (value: unknown) => {
    // A number where a string is expected is a client bug in a JSON body; in a URL everything is a string.
    const converted = httpPart === 'body' ? value : Value.Convert(schema, value);
    if (check.Check(converted)) return { value: converted };
    const first = check.Errors(converted).First();
    return { error: [{ instancePath: first?.path ?? '', message: first ? describeError(first) : 'is invalid' }] as never };
  };
};

/** TypeBox's message, except for unions (`Expected union value`) and missing fields, which get something a person can act on. */
export function describeError(error: ValueError): string {
  const options = (error.schema as { anyOf?: TSchema[] }).anyOf;
  if (options && error.message === 'Expected union value') return `Expected ${describeOptions(options)}`;
  if (error.message === 'Expected required property') return 'is required';
  return error.message;
}

function describeOptions(options: TSchema[]): string {
  const names = options.map((option) => {
    if ('const' in option) return JSON.stringify(option.const);
    return typeof option.type === 'string' ? option.type : 'value';
  });
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}
