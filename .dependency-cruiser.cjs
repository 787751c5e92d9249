// Import fences: the folder table of docs/architecture.md, the composition-root rule, driver packages and cycles, checked by `npm run fences`.
'use strict';

/** Tests may reach past the fences (a conformance test builds the implementation it checks). */
const TEST_FILES = '\\.test\\.ts$';

/**
 * The interface modules of a folder: what other folders may import when the table says "<folder> interface".
 * A new interface module (a queue backend contract, say) is added here and in the table of docs/architecture.md.
 */
const SURFACES = {
  engine: ['src/engine/engine.ts'],
  queue: ['src/queue/job-queue.ts', 'src/queue/queue-entry.ts', 'src/queue/worker-registry.ts'],
  sandbox: ['src/sandbox/sandbox.ts'],
  store: ['src/store/store.ts', 'src/store/store-errors.ts'],
};

/** A whole folder (`src/x/`) or a single module (`src/x.ts`) as an anchored path pattern. */
function pattern(target) {
  return `^${target.replace(/\./g, '\\.')}${target.endsWith('.ts') ? '$' : ''}`;
}

const folder = (name) => `src/${name}/`;
const surface = (name) => SURFACES[name];

/**
 * The "may import" column of docs/architecture.md, folder by folder; a folder may always import its own modules and
 * npm packages other than the fenced drivers below. `npm: false` also forbids npm packages (the pure folders).
 */
const TABLE = [
  { from: 'src/domain/', may: [], npm: false },
  { from: 'src/errors/', may: [], npm: false },
  { from: 'src/logging/', may: [] },
  { from: 'src/config/', may: [folder('domain'), folder('errors')] },
  { from: 'src/contract/', may: [folder('domain')] },
  { from: 'src/languages/', may: [folder('domain'), folder('errors'), ...surface('sandbox'), 'src/sandbox/executables.ts'] },
  { from: 'src/sandbox/', may: [folder('domain'), folder('errors'), folder('logging')] },
  { from: 'src/engine/', may: [folder('domain'), folder('errors'), folder('config'), folder('logging'), folder('languages'), ...surface('sandbox')] },
  { from: 'src/queue/', may: [folder('domain'), folder('errors'), folder('config'), folder('logging')] },
  { from: 'src/store/', may: [folder('domain'), folder('errors'), folder('logging')] },
  { from: 'src/metrics/', may: [folder('domain'), folder('errors'), ...surface('queue')] },
  { from: 'src/auth/', may: [folder('domain'), folder('errors'), folder('config')] },
  {
    from: 'src/submissions/',
    may: [folder('domain'), folder('errors'), folder('config'), folder('logging'), folder('languages'), ...surface('engine'), ...surface('queue'), ...surface('store'), ...surface('sandbox')],
  },
  {
    from: 'src/rooms/',
    may: [folder('domain'), folder('errors'), folder('logging'), folder('languages'), folder('contract'), folder('submissions'), ...surface('engine'), ...surface('queue'), ...surface('store'), ...surface('sandbox')],
  },
  {
    from: 'src/http/',
    may: [folder('domain'), folder('errors'), folder('config'), folder('logging'), folder('languages'), folder('contract'), folder('metrics'), folder('auth'), folder('submissions'), folder('rooms'), ...surface('queue')],
  },
  { from: 'src/realtime-cluster/', may: [folder('domain'), folder('errors'), folder('logging'), folder('contract'), folder('rooms'), ...surface('store')] },
  { from: 'src/cli/', may: [folder('domain'), folder('errors'), folder('config'), folder('logging'), folder('languages'), folder('submissions'), folder('node'), 'src/main.ts', ...surface('engine')] },
  { from: 'src/main.ts', may: [folder('node'), folder('config'), folder('logging'), folder('submissions')] },
];

/** Concrete implementations: only the composition root (src/node/), the implementation itself and tests import them. */
const IMPLEMENTATIONS = [
  { name: 'store-sqlite', path: 'src/store/sqlite/' },
  { name: 'store-postgres', path: 'src/store/postgres/' },
  { name: 'queue-memory', path: 'src/queue/memory/' },
  { name: 'queue-bullmq', path: 'src/queue/bullmq/' },
  { name: 'queue-redis', path: 'src/queue/redis/' },
  { name: 'sandbox-bwrap', path: 'src/sandbox/bwrap/' },
  { name: 'sandbox-resident', path: 'src/sandbox/resident/' },
  { name: 'realtime-cluster', path: 'src/realtime-cluster/' },
];

/** Driver packages and the only folders that may import them. */
const DRIVERS = [
  { name: 'better-sqlite3', packages: ['better-sqlite3'], allowedIn: ['src/store/sqlite/'] },
  { name: 'pg', packages: ['pg', 'pg-pool', 'pg-cursor'], allowedIn: ['src/store/postgres/'] },
  { name: 'bullmq', packages: ['bullmq'], allowedIn: ['src/queue/bullmq/'] },
  // The Redis queue backend; a Socket.IO Redis adapter folder, once it exists, joins allowedIn here (it needs ioredis too).
  { name: 'ioredis', packages: ['ioredis'], allowedIn: ['src/queue/redis/', 'src/http/redis-rate-limit/', 'src/realtime-cluster/'] },
  // Transports: Fastify and Socket.IO belong to src/http/ (REST, compat/, ws/) and the composition root that wires them;
  // rooms and everything below the transports stay transport-free.
  { name: 'transport', packages: ['fastify', 'fastify-plugin', '@fastify/[^/]+', 'socket.io', 'socket.io-adapter'], allowedIn: ['src/http/', 'src/node/'] },
];

/** Matches a package whether it resolved (node_modules/x/…, @types/x) or not (a bare `x` that is not installed). */
function packagePattern(packages) {
  const names = packages.map((name) => name.replace(/\./g, '\\.')).join('|');
  return `(^|node_modules/)(@types/)?(${names})(/|$)`;
}

const tableRules = TABLE.map(({ from, may, npm = true }) => ({
  name: `table-${from.replace(/^src\//, '').replace(/\/$/, '').replace(/\.ts$/, '-ts')}`,
  comment: `docs/architecture.md: ${from} may import ${may.length > 0 ? may.join(', ') : 'nothing'}${npm ? '' : ' (no npm packages either)'}`,
  severity: 'error',
  from: { path: pattern(from), pathNot: TEST_FILES },
  to: npm
    ? { path: '^src/', pathNot: [pattern(from), ...may.map(pattern)] }
    : { dependencyTypesNot: ['core'], pathNot: [pattern(from), ...may.map(pattern)] },
}));

const implementationRules = IMPLEMENTATIONS.map(({ name, path }) => ({
  name: `composition-only-${name}`,
  comment: `only the composition root (src/node/) imports the concrete implementation ${path}`,
  severity: 'error',
  from: { path: '^src/', pathNot: ['^src/node/', pattern(path), TEST_FILES] },
  to: { path: pattern(path) },
}));

const driverRules = DRIVERS.map(({ name, packages, allowedIn }) => ({
  name: `driver-${name}`,
  comment: `${packages.join(', ')} may only be imported in ${allowedIn.join(', ')}`,
  severity: 'error',
  from: { path: '^src/', pathNot: allowedIn.map(pattern) },
  to: { path: packagePattern(packages) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'import cycles make start-up order and mocking fragile; break the cycle with an interface module',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...tableRules,
    ...implementationRules,
    ...driverRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules is a symlink in some checkouts; keep paths as imported so the driver patterns match either way.
    preserveSymlinks: true,
    // Type-only imports count: they tie a module to the one it names just as a value import does.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
  },
};
