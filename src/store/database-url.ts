// Reads the configured database URL: which Store to build and where its data lives.
import { join } from 'node:path';
import { AppError, CONFIG_ERRORS } from '../errors/index.js';

/** File name of the embedded database inside the data directory. */
export const DEFAULT_SQLITE_FILE = 'runlane.db';

/** Where the store's data lives. */
export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/**
 * Resolves `database.url` (DATABASE_URL): null or empty → `<dataDir>/runlane.db`; `sqlite:PATH`
 * (also `sqlite://PATH`, `sqlite::memory:`) → that file; `postgres://…` / `postgresql://…` → PostgreSQL.
 * Relative SQLite paths are relative to the working directory, like `dataDir`.
 */
export function resolveDatabaseTarget(url: string | null, dataDir: string): DatabaseTarget {
  const value = url?.trim() ?? '';
  if (value === '') return { kind: 'sqlite', path: join(dataDir, DEFAULT_SQLITE_FILE) };
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', url: value };
  if (/^sqlite:/i.test(value)) {
    const rest = value.slice('sqlite:'.length);
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (path !== '') return { kind: 'sqlite', path };
  }
  throw new AppError(CONFIG_ERRORS.invalid, 'database.url (DATABASE_URL) must be sqlite:PATH, postgres://… or empty for the embedded default.', {
    details: { key: 'database.url' },
  });
}
