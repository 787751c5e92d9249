// Loads the configuration: defaults < config file < environment < CLI flags, validated, then frozen.
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { AppError, CONFIG_ERRORS } from '../errors/index.js';
import { ConfigSchema, type Config } from './schema.js';
import { bindHostProblem } from './bind-host.js';
import { describeConfigError } from './describe-error.js';
import { overridesFromEnv } from './env.js';

export interface LoadConfigOptions {
  /** Path of a JSON config file; defaults to $RUNLANE_CONFIG when set. */
  file?: string | null;
  /** Environment to read; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Highest-precedence overrides, as `dotted.path → value` (what CLI flags produce). */
  flags?: Record<string, unknown>;
  /**
   * Whether this process listens on `server.host`, so a host it cannot bind is an error. Commands that never listen
   * (`run`, `languages`, `token`) pass false: a shell that exports `HOST=<hostname>` must not break them.
   * @defaultValue true
   */
  listens?: boolean;
}

type Tree = Record<string, unknown>;

export function loadConfig(options: LoadConfigOptions = {}): Readonly<Config> {
  const env = options.env ?? process.env;
  const tree: Tree = {};
  const file = options.file ?? env.RUNLANE_CONFIG ?? null;
  if (file) mergeInto(tree, readConfigFile(file));
  /** Which environment variable set a key, so an error can name what the user actually typed. */
  const envSources = new Map<string, string>();
  for (const [path, { name, value }] of overridesFromEnv(env)) {
    setPath(tree, path, parseEnvValue(value));
    envSources.set(path, name);
  }
  for (const [path, value] of Object.entries(options.flags ?? {})) if (value !== undefined) setPath(tree, path, value);

  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, tree)) as Config;
  const firstError = Value.Errors(ConfigSchema, withDefaults).First();
  if (firstError) {
    const { key, problem, shown } = describeConfigError(firstError);
    throw configError(key, `${problem}${shown}`, envSources);
  }
  const hostProblem = options.listens === false ? null : bindHostProblem(withDefaults.server.host);
  if (hostProblem) throw configError('server.host', `${hostProblem} (got ${JSON.stringify(withDefaults.server.host)})`, envSources);
  checkDefaultsWithinMaxima(withDefaults, envSources);
  return deepFreeze(withDefaults);
}

/** The one format of every configuration error: `invalid configuration: <key>[ from environment variable <NAME>]: <problem>`. */
function configError(key: string, problem: string, envSources: ReadonlyMap<string, string>): AppError {
  const source = envSourceOf(envSources, key);
  const origin = source ? ` from environment variable ${source}` : '';
  return new AppError(CONFIG_ERRORS.invalid, `invalid configuration: ${key}${origin}: ${problem}`, { details: { key } });
}

/** The variable that set the key or the section it belongs to (`RUNLANE_AUTH__API_KEYS` for `auth.apiKeys.0.key`). */
function envSourceOf(sources: ReadonlyMap<string, string>, key: string): string | undefined {
  const segments = key.split('.');
  for (let length = segments.length; length > 0; length -= 1) {
    const source = sources.get(segments.slice(0, length).join('.'));
    if (source) return source;
  }
  return undefined;
}

function readConfigFile(path: string): Tree {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('top level must be an object');
    return parsed as Tree;
  } catch (cause) {
    throw new AppError(CONFIG_ERRORS.fileUnreadable, `cannot read config file ${path}: ${readFailure(cause)}`, { cause });
  }
}

/** Why the file could not be used; a JSON syntax error is reported by position only, as V8 quotes the text around it (secrets included). */
function readFailure(cause: unknown): string {
  if (cause instanceof SyntaxError) {
    const position = /position (\d+)/.exec(cause.message)?.[1];
    return position === undefined ? 'not valid JSON' : `not valid JSON (at character ${position})`;
  }
  return (cause as Error).message;
}

/** Environment values are strings; JSON-looking ones (arrays, objects, true, null) are parsed so every key can be set. */
function parseEnvValue(raw: string): unknown {
  if (/^[[{]/.test(raw) || raw === 'true' || raw === 'false' || raw === 'null') {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const segments = path.split('.');
  let node = tree;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[segment] = {};
    node = node[segment] as Tree;
  }
  node[segments.at(-1)!] = value;
}

function mergeInto(target: Tree, source: Tree): void {
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const existing = target[key];
      if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) target[key] = {};
      mergeInto(target[key] as Tree, value as Tree);
    } else {
      target[key] = value;
    }
  }
}

/** A default above its maximum would make every default submission invalid; fail at start instead. */
function checkDefaultsWithinMaxima(config: Config, envSources: ReadonlyMap<string, string>): void {
  // Compile limits are the service's own and may exceed what a submission may ask for; only run defaults must fit.
  const sets: Array<{ defaults: string; max: string; values: Record<string, number>; maxima: Record<string, number> }> = [
    { defaults: 'limits.run', max: 'limits.max', values: { ...config.limits.run }, maxima: { ...config.limits.max } },
    { defaults: 'limits.interactive.defaults', max: 'limits.interactive.max', values: { ...config.limits.interactive.defaults }, maxima: { ...config.limits.interactive.max } },
  ];
  for (const set of sets) {
    for (const [key, value] of Object.entries(set.values)) {
      const maximum = set.maxima[key]!;
      if (value <= maximum) continue;
      const maxKey = `${set.max}.${key}`;
      throw configError(`${set.defaults}.${key}`, `${value} is above ${maxKey} (${maximum}); lower it, or raise ${maxKey} (${envNameOf(maxKey)}) too`, envSources);
    }
  }
}

/** `limits.max.cpuTimeMs` → `RUNLANE_LIMITS__MAX__CPU_TIME_MS`. */
function envNameOf(path: string): string {
  const snake = (segment: string) => segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
  return `RUNLANE_${path.split('.').map(snake).join('__')}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
