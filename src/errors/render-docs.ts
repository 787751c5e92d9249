// Renders docs/errors.md from the catalogue, so the documentation cannot drift from the code.
import type { ErrorDefinition } from './app-error.js';

export function renderErrorDocs(catalogue: readonly ErrorDefinition[]): string {
  const lines = [
    '# Error codes',
    '',
    'Every error the service returns has the body `{ "error": { "code": "…", "message": "…", "details"?: {…} } }` and one of the codes below.',
    'A user program that fails is not an error: it gets a verdict (see the README). This file is generated from `src/errors/codes/` by `npm run docs:errors`.',
    '',
    '| code | HTTP | meaning | what to do |',
    '|---|---|---|---|',
    ...catalogue.map((entry) => `| \`${entry.code}\` | ${entry.statusCode} | ${escapeCell(entry.description)} | ${escapeCell(entry.fix)} |`),
    '',
  ];
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}
