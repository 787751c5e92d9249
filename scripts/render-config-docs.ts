// Writes docs/configuration.md from the config schema.
import { writeFileSync } from 'node:fs';
import { renderConfigDocs } from '../src/config/render-docs.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigDocs());
