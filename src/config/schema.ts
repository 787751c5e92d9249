// Configuration schema: every key, its type and its default, in one place.
import { Type, type Static } from '@sinclair/typebox';
import { availableParallelism } from 'node:os';
import { describeLimit, perLimit, type LimitSet } from '../domain/limits.js';

const positiveInt = (defaultValue: number, description: string) =>
  Type.Integer({ minimum: 1, default: defaultValue, description });

/** One configured limit set: every field of the limits table with that set's default. */
function limitsSchema(set: LimitSet, what: string) {
  return Type.Object(
    perLimit((field) =>
      Type.Integer({ minimum: field.min, default: field.defaults[set], description: `${describeLimit(field)} — ${what}` }),
    ),
    { default: {}, additionalProperties: false },
  );
}

/**
 * Limits of interactive runs, apart from batch runs: a person types slowly, so the wall time is minutes, and a program
 * left waiting for nobody is ended after an idle time. Other limits (memory, output, …) are the batch ones.
 */
function interactiveLimitsSchema() {
  const times = (what: string, values: { wallTimeMs: number; cpuTimeMs: number; idleTimeoutMs: number }) =>
    Type.Object(
      {
        wallTimeMs: positiveInt(values.wallTimeMs, `Wall-clock time of an interactive run, ms — ${what}`),
        cpuTimeMs: positiveInt(values.cpuTimeMs, `CPU time of all processes of an interactive run, ms — ${what}`),
        idleTimeoutMs: positiveInt(values.idleTimeoutMs, `Time an interactive run may go without stdin and without output before it is ended, ms — ${what}`),
      },
      { default: {}, additionalProperties: false },
    );
  return Type.Object(
    {
      defaults: times('unless the `start` request asks otherwise', { wallTimeMs: 600_000, cpuTimeMs: 60_000, idleTimeoutMs: 120_000 }),
      max: times('the most a `start` request may ask for', { wallTimeMs: 3_600_000, cpuTimeMs: 600_000, idleTimeoutMs: 600_000 }),
    },
    { default: {}, additionalProperties: false },
  );
}

export const ConfigSchema = Type.Object(
  {
    server: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', description: 'Address the HTTP server binds to (HOST)' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'HTTP port; 0 picks a free one (PORT)' }),
        bodyLimitBytes: positiveInt(4 * 1024 * 1024, 'Largest request body accepted'),
        maxConnections: positiveInt(
          20_000,
          'Open TCP connections (REST and Socket.IO together) before new ones are dropped; never more than 75 % of the process\'s open-file limit',
        ),
        trustProxy: Type.Boolean({ default: false, description: 'Trust X-Forwarded-For for client IPs (behind a reverse proxy)' }),
      },
      { default: {}, additionalProperties: false },
    ),
    dataDir: Type.String({ default: './data', description: 'Directory for the SQLite file and other node-local state' }),
    database: Type.Object(
      {
        url: Type.Union([Type.String(), Type.Null()], {
          default: null,
          description: 'postgres://… for PostgreSQL; sqlite:PATH or null for the embedded SQLite file <dataDir>/runlane.db (DATABASE_URL)',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    redis: Type.Object(
      {
        url: Type.Union([Type.String(), Type.Null()], { default: null, description: 'redis://… enables the distributed mode (REDIS_URL)' }),
        prefix: Type.String({
          default: 'queue',
          pattern: '^[A-Za-z0-9_.{}-]+$',
          description: 'Names the shared queue in Redis: every key is runlane:<prefix>:…, so clusters (or test runs) can share one Redis',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    sandbox: Type.Object(
      {
        implementation: Type.Union([Type.Literal('resident'), Type.Literal('bwrap')], {
          default: 'resident',
          description:
            'How runs start: resident keeps one sandbox per slot whose namespaces are built once and whose PID 1 forks each run; bwrap builds every run\'s namespaces afresh (slower; kept for comparison)',
        }),
        bwrapPath: Type.String({ default: 'bwrap', description: 'bubblewrap executable' }),
        runRoot: Type.String({ default: '/run/runlane', description: 'Host directory under which each run gets its private work dir' }),
        uidBase: Type.Integer({ minimum: 1000, default: 61000, description: 'First host uid used for sandboxed runs (never a real account)' }),
        uidCount: Type.Integer({ minimum: 1, default: 512, description: 'How many host uids the sandbox cycles through' }),
        cgroupRoot: Type.Union([Type.String(), Type.Null()], { default: null, description: 'Parent cgroup path; null detects v2 or v1 at start-up' }),
        requireCgroups: Type.Boolean({ default: false, description: 'Refuse to start without usable cgroups instead of falling back to rlimits' }),
        warmPool: Type.Optional(Type.Integer({ minimum: 0, description: 'Prologues kept waiting in fresh cgroups for the next runs; 0 starts every run cold (default: the number of CPUs, at most uidCount)' })),
      },
      { default: {}, additionalProperties: false },
    ),
    limits: Type.Object(
      {
        run: limitsSchema('run', 'a run, unless the request or language asks otherwise'),
        compile: limitsSchema('compile', 'a compile (a request never changes it)'),
        max: limitsSchema('max', 'the most a submission may request'),
        maxCodeBytes: positiveInt(64 * 1024, 'Largest total source size of a submission, bytes'),
        maxStdinBytes: positiveInt(1024 * 1024, 'Largest stdin of a run or test case, bytes'),
        maxFiles: positiveInt(32, 'Most source files in a submission'),
        maxTestCases: positiveInt(100, 'Most test cases in a submission'),
        maxArgs: positiveInt(64, 'Most command-line arguments'),
        // Linux refuses a single argv string of 128 KiB or more (MAX_ARG_STRLEN), so a larger cap could never run.
        maxArgBytes: Type.Integer({ minimum: 1, maximum: 128 * 1024 - 1, default: 4 * 1024, description: 'Largest single command-line argument, bytes (UTF-8)' }),
        maxArgsTotalBytes: Type.Integer({ minimum: 1, maximum: 1024 * 1024, default: 64 * 1024, description: 'Largest total of all command-line arguments, bytes (UTF-8)' }),
        interactive: interactiveLimitsSchema(),
        maxSubmissionOutputBytes: positiveInt(
          16 * 1024 * 1024,
          'Most output one submission keeps: stdout + stderr of every run plus the compiler output, bytes; the rest is cut and marked truncated (the verdict is unaffected)',
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    scheduler: Type.Object(
      {
        maxConcurrent: positiveInt(availableParallelism(), 'Executions running at once on this node (MAX_CONCURRENT_EXECUTIONS)'),
        maxQueued: positiveInt(10_000, 'Queued executions on this node before 503'),
        roomMaxRunning: positiveInt(3, 'Executions running at once per room'),
        roomMaxQueued: positiveInt(10, 'Queued executions per room before 429'),
        userMaxQueued: positiveInt(50, 'Queued executions per user on this node, in every room and none, before 429'),
        userMaxRunning: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
          default: null,
          description: 'Executions of one user running at once while another user\'s execution could start; null = maxConcurrent - 1 (at least 1). Work-conserving: when nobody else can start, the user may use every free slot',
        }),
        keyMaxQueued: positiveInt(1_000, 'Queued executions per API key on this node, all of its users together, before 429'),
        testCaseBatchSize: positiveInt(3, 'Test cases of one submission run in parallel'),
        maxWaitMs: positiveInt(60_000, 'Longest `wait` a request may ask for, ms'),
        compileCacheBytes: positiveInt(256 * 1024 * 1024, 'Size bound of the compile cache, bytes'),
        workerSlots: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
          default: null,
          description: 'Executions this node runs itself on the shared (Redis) queue: 0 makes an API node that only admits (serve --workers, worker --concurrency); null = maxConcurrent. The embedded node always runs maxConcurrent',
        }),
        leaseMs: positiveInt(30_000, 'How long a worker holds a claimed execution without renewing it (renewed every third of it while the run is alive), ms; a dead worker\'s execution goes back to the queue when it expires'),
        maxAttempts: positiveInt(2, 'Claims of one execution on the shared queue before an interrupted one (its worker died) ends failed with internal_error instead of running again'),
        workerLanguages: Type.Union([Type.String({ pattern: '^[A-Za-z0-9_+.#-]+(,[A-Za-z0-9_+.#-]+)*$' }), Type.Null()], {
          default: null,
          description: 'Comma-separated language ids this node\'s worker runs on the shared queue (worker --languages python,cpp); it claims only those that are also installed, and refuses to start if none is. null = every installed language',
        }),
        workerHeartbeatMs: positiveInt(5_000, 'How often a worker renews its entry in the worker registry, ms; an entry not renewed for three of these (a killed worker) is dropped, and its languages and slots stop counting'),
        claimPollMs: Type.Integer({ minimum: 0, default: 2_000, description: 'How often a worker also looks for work without being told of any, ms, so a lost queue event delays a job rather than stranding it; 0 = only on events' }),
        requeueLostAfterMs: positiveInt(30_000, 'On the shared queue: a submission stored as queued for this long that the queue does not hold (Redis lost its data) is enqueued again, ms; checked every half of it'),
        livePositions: positiveInt(500, 'Queued executions, from the head of the queue, that get live position updates and are listed by the queue routes; those behind are counted in queueLength and get their exact position on request (GET /api/v1/submissions/:id) and live updates once they move within it'),
      },
      { default: {}, additionalProperties: false },
    ),
    realtime: Type.Object(
      {
        rateLimit: Type.Object(
          {
            burst: positiveInt(120, 'Socket events one connection may send in a burst'),
            perSecond: positiveInt(60, 'Socket events per second a connection may keep up (a Yjs editor sends two per keystroke)'),
          },
          { default: {}, additionalProperties: false },
        ),
        maxDocumentMessageBytes: positiveInt(1024 * 1024, 'Largest Yjs sync or awareness message, bytes'),
        maxStdinChunkBytes: positiveInt(64 * 1024, 'Largest stdin chunk of an interactive run, bytes'),
        persistDebounceMs: positiveInt(500, 'Quiet time after the last edit before a room document is saved, ms'),
        persistMaxDelayMs: positiveInt(5_000, 'Longest a changed room document stays unsaved while edits keep coming, ms'),
        codeUpdateIntervalMs: positiveInt(150, 'Shortest interval between two `code-update` events caused by Yjs edits, ms'),
        maxRoomsPerConnection: positiveInt(10, 'Rooms one connection may be in at once'),
        maxHistory: positiveInt(100, 'Most entries an `execution-history` request may ask for'),
        maxConnections: positiveInt(10_000, 'Socket.IO connections on this node; never more than 50 % of the process\'s open-file limit, so runs and the database keep descriptors'),
        maxConnectionsPerIp: positiveInt(256, 'Socket.IO connections from one client address (a classroom behind one NAT shares one)'),
        maxConnectionsPerUser: positiveInt(32, 'Socket.IO namespace connections of one user (`/` and `/interactive` each count)'),
      },
      { default: {}, additionalProperties: false },
    ),
    auth: Type.Object(
      {
        jwtSecret: Type.Union([Type.String({ minLength: 16 }), Type.Null()], { default: null, description: 'HS256 secret for Bearer JWTs (JWT_SECRET)' }),
        apiKeys: Type.Array(
          Type.Object(
            {
              key: Type.String({ minLength: 16, description: 'The secret the client sends as `Bearer <key>`; at least 16 characters (32+ random ones recommended)' }),
              userId: Type.String({ minLength: 1, pattern: '^(?!anon:|svc:)', description: 'The user the key acts as; may not start with `anon:` or `svc:` (ids the service makes up)' }),
              displayName: Type.String({ minLength: 1 }),
              avatar: Type.Optional(Type.Union([Type.String(), Type.Null()])),
              role: Type.Optional(
                Type.Union([Type.Literal('user'), Type.Literal('teacher'), Type.Literal('admin'), Type.Literal('service')], {
                  description: 'user (default), teacher, admin, or service: a backend that may act for its end users with `actAs`',
                }),
              ),
              maxActAsRole: Type.Optional(
                Type.Union([Type.Literal('user'), Type.Literal('teacher'), Type.Literal('admin')], { description: 'Service keys: the highest role `actAs` may give an end user (default user)' }),
              ),
              rateLimit: Type.Optional(
                Type.Object(
                  {
                    maxRequests: Type.Integer({ minimum: 1, description: 'Requests per window for this key, instead of rateLimit.maxRequests' }),
                    windowMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Window of this key, ms (default rateLimit.windowMs)' })),
                  },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
          { default: [], description: 'Static API keys, each mapped to a user; a JSON array in RUNLANE_AUTH__API_KEYS' },
        ),
        jwtPublicKey: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
          default: null,
          description: 'Public key for RS256/ES256 JWTs: a PEM (SPKI) or a JWK as JSON (JWT_PUBLIC_KEY)',
        }),
        jwksUrl: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
          default: null,
          description: 'JWKS URL of an identity provider (Firebase, Supabase, Auth0, …) for RS256/ES256 JWTs; cached, refetched for an unknown kid (JWKS_URL)',
        }),
        jwksCooldownMs: positiveInt(30_000, 'Shortest time between two JWKS fetches caused by a token with an unknown `kid`, ms (keys are also refetched every 10 minutes)'),
        jwtIssuer: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null, description: 'Required `iss` of every JWT; null = not checked (JWT_ISSUER)' }),
        jwtAudience: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null, description: 'Required `aud` of every JWT; null = not checked (JWT_AUDIENCE)' }),
        claims: Type.Object(
          {
            userId: Type.String({ minLength: 1, default: 'sub', description: 'Claim holding the user id; dotted paths reach nested claims' }),
            displayName: Type.String({ minLength: 1, default: 'name', description: 'Claim holding the display name, e.g. `user_metadata.full_name` for Supabase' }),
            avatar: Type.String({ minLength: 1, default: 'picture', description: 'Claim holding the avatar URL, e.g. `user_metadata.avatar_url` for Supabase' }),
            role: Type.String({ minLength: 1, default: 'role', description: 'Claim holding the role (user, teacher, admin, service; anything else is user)' }),
            maxActAsRole: Type.String({ minLength: 1, default: 'maxActAsRole', description: 'Claim of a service token holding the highest role it may give end users' }),
          },
          { default: {}, additionalProperties: false },
        ),
        anonymous: Type.Union([Type.Literal('auto'), Type.Boolean()], {
          default: 'auto',
          description: 'Allow requests without a token; auto = only when bound to a loopback address and no credential (jwtSecret, jwtPublicKey, jwksUrl, apiKeys) is configured',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    rateLimit: Type.Object(
      {
        maxRequests: positiveInt(300, 'Requests per window per client (RATE_LIMIT_MAX_REQUESTS)'),
        windowMs: positiveInt(60_000, 'Rate-limit window, ms (RATE_LIMIT_WINDOW_MS)'),
      },
      { default: {}, additionalProperties: false },
    ),
    retention: Type.Object(
      {
        days: positiveInt(30, 'Days finished executions are kept'),
        sweepIntervalMs: positiveInt(3_600_000, 'How often old executions are swept, ms'),
      },
      { default: {}, additionalProperties: false },
    ),
    shutdown: Type.Object(
      {
        graceMs: positiveInt(15_000, 'How long running jobs may finish on SIGTERM before they are aborted (they stay in the store and run again after the restart), ms'),
      },
      { default: {}, additionalProperties: false },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
          { default: 'info', description: 'pino log level (LOG_LEVEL)' },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
