// Writes docs/errors.md from the error catalogue.
import { writeFileSync } from 'node:fs';
import { ERROR_CATALOGUE } from '../src/errors/codes/index.js';
import { renderErrorDocs } from '../src/errors/render-docs.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorDocs(ERROR_CATALOGUE));
