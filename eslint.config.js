// Lint rules: typescript-eslint recommended, plus the import-boundary rules from docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Driver packages may only be imported by their adapter folders (queue and database drivers included, as they are added); the composition root picks implementations. */
const driverBoundaries = [
  { name: 'bullmq', allowedIn: 'src/queue/bullmq/' },
  { name: 'better-sqlite3', allowedIn: 'src/store/sqlite/' },
  { name: 'pg', allowedIn: 'src/store/postgres/' },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'web/dist/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  ...driverBoundaries.map(({ name, allowedIn }) => ({
    files: ['src/**/*.ts'],
    ignores: [`${allowedIn}**`, 'src/main.ts', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name, message: `only ${allowedIn} may import ${name}` }] }],
    },
  })),
  {
    files: ['src/domain/**/*.ts'],
    ignores: ['src/domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./)', message: 'domain/ is pure: it imports only its own modules' }] }],
    },
  },
  {
    files: ['src/errors/**/*.ts'],
    ignores: ['src/errors/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\.{1,2}/)|^\\.\\./\\.\\./', message: 'errors/ imports nothing outside itself' }] }],
    },
  },
  {
    files: ['src/rooms/**/*.ts'],
    ignores: ['src/rooms/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['socket.io', 'fastify'], patterns: ['../http/*'] }],
    },
  },
);
