// Turns a schema error of the configuration into words an operator can act on, without ever echoing a secret.
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';

/** Key names that hold credentials: their values are never printed. */
const SECRET_NAME = /secret|password|passwd|token|key/i;

/** Errors that mean "the value has the wrong kind", as opposed to "the right kind, but out of bounds". */
const KIND_ERRORS = new Set<ValueErrorType>([
  ValueErrorType.String,
  ValueErrorType.Number,
  ValueErrorType.Integer,
  ValueErrorType.Boolean,
  ValueErrorType.Null,
  ValueErrorType.Literal,
  ValueErrorType.Object,
  ValueErrorType.Array,
  ValueErrorType.Union,
]);

/** What is wrong with a configuration value, and what of the value may be shown. */
export interface ConfigProblem {
  /** Dotted key, e.g. `auth.jwtSecret` (`(root)` for the whole document). */
  key: string;
  /** What is wrong, e.g. `must be at least 16 characters`. */
  problem: string;
  /** ` (got …)`, or an empty string when the value must not or need not be shown. */
  shown: string;
}

/** Describes the first error of a configuration; never includes the value of a secret key or a URL's password. */
export function describeConfigError(error: ValueError): ConfigProblem {
  const segments = error.path.split('/').filter(Boolean);
  const key = segments.join('.') || '(root)';
  if (error.type === ValueErrorType.ObjectAdditionalProperties) return { key, problem: 'is not a known key', shown: '' };
  const specific = mostSpecific(error);
  return { key, problem: wording(specific), shown: shownValue(segments, error) };
}

/**
 * A union fails as a whole, which says nothing; the branch whose kind matches the value (a string too short for
 * `string | null`) explains the problem. When no branch matches, the accepted kinds are listed.
 */
function mostSpecific(error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union) return error;
  const branches = error.errors.map((branch) => [...branch]);
  const matching = branches.find((found) => found.length > 0 && found.every((candidate) => !KIND_ERRORS.has(candidate.type) || candidate.path !== error.path));
  if (matching) return mostSpecific(matching[0]!);
  return error;
}

function wording(error: ValueError): string {
  const schema = error.schema as Record<string, unknown>;
  switch (error.type) {
    case ValueErrorType.StringMinLength:
      return `must be at least ${String(schema.minLength)} characters`;
    case ValueErrorType.StringMaxLength:
      return `must be at most ${String(schema.maxLength)} characters`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `must be at least ${String(schema.minimum)}`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `must be at most ${String(schema.maximum)}`;
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    default:
      return KIND_ERRORS.has(error.type) ? `must be ${oneOf(accepted(error.schema))}` : error.message;
  }
}

function oneOf(kinds: readonly string[]): string {
  if (kinds.length <= 2) return kinds.join(' or ');
  return `one of ${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)!}`;
}

/** The kinds of value a schema accepts, in words: `"auto"`, `true or false`, `a string`, `null`, … */
function accepted(schema: unknown): string[] {
  const node = schema as { anyOf?: unknown[]; const?: unknown; type?: string };
  if (Array.isArray(node.anyOf)) return node.anyOf.flatMap(accepted);
  if (node.const !== undefined) return [JSON.stringify(node.const)];
  switch (node.type) {
    case 'string':
      return ['a string'];
    case 'integer':
      return ['an integer'];
    case 'number':
      return ['a number'];
    case 'boolean':
      return ['true or false'];
    case 'null':
      return ['null'];
    case 'array':
      return ['a list'];
    case 'object':
      return ['an object'];
    default:
      return ['valid'];
  }
}

/** The offending value when it is safe and useful to show: a plain value of a key that is not a secret. */
function shownValue(segments: readonly string[], error: ValueError): string {
  const value = error.value;
  if (value === undefined) return '';
  if (segments.some((segment) => SECRET_NAME.test(segment)) || holdsSecrets(error.schema)) return ' (the value is not shown: it is or holds a secret)';
  if (typeof value === 'object' && value !== null) return '';
  return ` (got ${JSON.stringify(typeof value === 'string' ? withoutPassword(value) : value)})`;
}

/** True when the schema (a section such as `auth`) contains a secret key somewhere below it. */
function holdsSecrets(schema: unknown): boolean {
  const node = schema as { properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[] };
  if (node.properties && Object.entries(node.properties).some(([name, child]) => SECRET_NAME.test(name) || holdsSecrets(child))) return true;
  if (node.items !== undefined && holdsSecrets(node.items)) return true;
  return Array.isArray(node.anyOf) && node.anyOf.some(holdsSecrets);
}

/** `postgres://user:pw@host/db` → `postgres://user:***@host/db`; anything that is not such a URL is returned as it is. */
export function withoutPassword(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (url.password === '') return value;
  url.password = '***';
  return url.toString();
}
