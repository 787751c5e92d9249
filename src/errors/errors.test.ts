// The catalogue is well-formed and docs/errors.md documents every code exactly as the catalogue says.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from './codes/index.js';
import { renderErrorDocs } from './render-docs.js';
import { AppError } from './app-error.js';

describe('error catalogue', () => {
  it('should give every code the RUNLANE_ERR_<AREA>_<WHAT> form', () => {
    for (const entry of ERROR_CATALOGUE) expect(entry.code).toMatch(/^RUNLANE_ERR_[A-Z]+_[A-Z0-9_]+$/);
  });

  it('should not repeat a code', () => {
    const codes = ERROR_CATALOGUE.map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('should use an HTTP error status for every code', () => {
    for (const entry of ERROR_CATALOGUE) expect(entry.statusCode).toBeGreaterThanOrEqual(400);
  });

  it('should document every code in docs/errors.md (run `npm run docs:errors` after adding one)', () => {
    const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    expect(docs).toBe(renderErrorDocs(ERROR_CATALOGUE));
    for (const entry of ERROR_CATALOGUE) expect(docs).toContain(`\`${entry.code}\``);
  });

  it('should render an AppError as { error: { code, message } }', () => {
    const [first] = ERROR_CATALOGUE;
    const error = new AppError(first!, 'explained');
    expect(error.toJSON()).toEqual({ error: { code: first!.code, message: 'explained' } });
  });
});
