// Schemas of the cluster routes: live workers, dependency health and readiness.
import { Type } from '@sinclair/typebox';
import { Nullable } from './common.js';

export const WorkerJson = Type.Object({
  id: Type.String({ description: 'Unique per worker process start' }),
  host: Type.String({ description: 'Host name of the machine it runs on' }),
  pid: Type.Integer(),
  languages: Type.Array(Type.String(), { description: 'Language ids it claims: those it serves that are installed where it runs' }),
  slots: Type.Integer({ description: 'Executions it runs at once' }),
  running: Type.Integer({ description: 'Executions it was running at its last heartbeat' }),
  startedAt: Type.String({ format: 'date-time' }),
  lastHeartbeat: Type.String({ format: 'date-time', description: 'Its last heartbeat, on Redis\'s clock in a cluster' }),
});

export const WorkersJson = Type.Object({
  count: Type.Integer(),
  slots: Type.Integer({ description: 'Slots of every live worker together' }),
  languages: Type.Array(Type.String(), { description: 'Languages at least one live worker serves' }),
  workers: Type.Array(WorkerJson, { description: 'Live workers by id; the embedded node lists itself as the one worker' }),
});

export const DependencyJson = Type.Object({
  name: Type.String({ examples: ['postgresql', 'sqlite', 'redis'] }),
  status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  error: Nullable(Type.String({ description: 'Why it is down (an error code or a timeout), never an address or secret' })),
});

export const ReadyJson = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  dependencies: Type.Array(DependencyJson),
});
