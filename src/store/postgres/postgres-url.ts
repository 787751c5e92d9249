// Reads a postgres:// URL: Runlane's own query parameters, and a description of the target that never shows the password.
import { AppError, CONFIG_ERRORS } from '../../errors/index.js';

/** A PostgreSQL identifier that needs no quoting anywhere (search_path startup option, SQL), as lowercase PostgreSQL folds it. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** What a postgres:// URL says, split into what the driver reads and what Runlane reads. */
export interface PostgresTarget {
  /** The URL for the driver, without Runlane's own parameters. */
  connectionString: string;
  /** `?schema=NAME`: the schema the store's tables live in (its search_path), or null when the URL names none. */
  schema: string | null;
  /** `?poolSize=N`: most connections the store opens, or null when the URL names none. */
  poolSize: number | null;
  /** `user@host:port/database`, for messages and logs: never the password. */
  display: string;
  /** The password, only so that it can be scrubbed from driver messages; never logged. */
  password: string | null;
}

/** Parses `postgres://user:password@host:port/database?schema=NAME&poolSize=N` (other parameters go to the driver). */
export function parsePostgresUrl(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('database.url (DATABASE_URL) is not a valid postgres:// URL.');
  }
  if (!/^postgres(ql)?:$/i.test(parsed.protocol)) throw invalid('database.url (DATABASE_URL) must start with postgres:// or postgresql://.');
  const schema = parsed.searchParams.get('schema');
  const poolSize = parsed.searchParams.get('poolSize');
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('poolSize');
  if (schema !== null) checkSchemaName(schema);
  if (poolSize !== null && !/^[1-9][0-9]{0,3}$/.test(poolSize)) throw invalid('database.url (DATABASE_URL): poolSize must be a whole number from 1 to 9999.');
  const user = decodeURIComponent(parsed.username);
  const host = parsed.host === '' ? 'localhost' : parsed.host;
  return {
    connectionString: parsed.toString(),
    schema,
    poolSize: poolSize === null ? null : Number(poolSize),
    display: `${user === '' ? '' : `${user}@`}${host}${parsed.pathname}`,
    password: parsed.password === '' ? null : decodeURIComponent(parsed.password),
  };
}

/** Throws RUNLANE_ERR_CONFIG_INVALID unless `schema` is a plain lowercase identifier. */
export function checkSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw invalid(`The PostgreSQL schema "${schema}" must be 1 to 63 lowercase letters, digits or underscores, not starting with a digit.`);
  }
}

function invalid(message: string): AppError {
  return new AppError(CONFIG_ERRORS.invalid, message, { details: { key: 'database.url' } });
}
