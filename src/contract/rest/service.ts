// Schemas of the service-wide read routes: languages, stats, history, room stats, health.
import { Type } from '@sinclair/typebox';
import { limitSetSchema } from '../limits.js';
import { DependencyJson } from './cluster.js';
import { Nullable } from './common.js';
import { SubmissionJson } from './submission-response.js';

export const LanguageJson = Type.Object({
  id: Type.String(),
  aliases: Type.Array(Type.String()),
  displayName: Type.String(),
  version: Nullable(Type.String()),
  installed: Type.Boolean(),
  unavailableReason: Nullable(Type.String()),
  compiled: Type.Boolean({ description: 'Has a compile stage' }),
  sourceFile: Type.String({ description: 'File name used for a bare `source`' }),
  editorMode: Type.String(),
  helloWorld: Type.String(),
  defaultLimits: limitSetSchema('Limits of a run when the submission asks for none'),
});

export const LanguagesJson = Type.Object({
  languages: Type.Array(LanguageJson),
  maxLimits: limitSetSchema('The most any submission may request; above it the submission is rejected'),
});

export const StatsJson = Type.Object({
  active: Type.Integer({ description: 'Running now on this node' }),
  queued: Type.Integer({ description: 'Waiting for a slot' }),
  totalInProgress: Type.Integer({ description: 'active + queued' }),
  completed: Type.Integer(),
  failed: Type.Integer(),
  cancelled: Type.Integer(),
  successRate: Type.Number({ description: 'Share of completed executions with verdict accepted, 0..1' }),
});

export const HistoryJson = Type.Object({
  roomId: Type.Optional(Type.String()),
  userId: Type.Optional(Type.String()),
  count: Type.Integer(),
  items: Type.Array(SubmissionJson, { description: 'Newest first' }),
});

export const RoomStatsJson = Type.Object({
  roomId: Type.String(),
  timeRangeMs: Type.Integer(),
  total: Type.Integer(),
  successful: Type.Integer(),
  failed: Type.Integer(),
  avgExecutionTimeMs: Type.Number(),
  totalExecutionTimeMs: Type.Number(),
});

export const HealthJson = Type.Object({
  status: Type.String({ examples: ['healthy', 'degraded'], description: '`healthy`, or `degraded` once the sandbox retired a slot it could not reset' }),
  queue_length: Type.Integer(),
  processing: Type.Integer(),
  max_concurrent: Type.Integer(),
  uptime: Type.Integer({ description: 'Milliseconds since the service started' }),
  sandbox: Type.Object({
    implementation: Type.String({ examples: ['resident', 'bwrap'], description: 'Which sandbox implementation runs programs: `resident` (namespaces built once per slot) or `bwrap` (built per run); `enforces` says what is enforced' }),
    version: Type.String({ description: 'Version of the implementation\'s isolation tool (bubblewrap\'s, for both)' }),
    cgroups: Type.String({ description: 'v2, v1, or none (rlimit fallback)' }),
    enforces: Type.Object(
      {
        memory: Type.Boolean({ description: 'Memory of the whole run is capped (false: only a per-process rlimit)' }),
        cpuTotal: Type.Boolean({ description: 'CPU time of all processes of a run together is capped and measured exactly' }),
        pids: Type.Boolean({ description: 'The number of processes of a run is capped' }),
        network: Type.Boolean({ description: 'Runs have no network' }),
        filesystem: Type.Boolean({ description: 'Runs see a read-only system plus their own work dir' }),
        seccomp: Type.Boolean({ description: 'A seccomp filter refuses kernel-attacking and cross-run system calls' }),
        memoryPeak: Type.Boolean({ description: 'Peak memory of a run is measured (memoryKb is 0 otherwise)' }),
      },
      { description: 'What the sandbox enforces on every run as a whole' },
    ),
    warnings: Type.Array(Type.String()),
    slots: Type.Optional(Type.Integer({ description: 'Runs the sandbox can hold at once: its uid range minus retired slots' })),
    retiredSlots: Type.Optional(Type.Integer({ description: 'Slots taken out of use since start-up because they could not be reset and verified empty' })),
  }),
  dependencies: Type.Optional(Type.Array(DependencyJson, { description: 'Health of the store and (in a cluster) Redis; informational, `/ready` is the readiness check' })),
});
