// Shapes of what clients send, checked before anything acts on them; extra fields (e.g. a claimed userId) are ignored.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { requestedLimitsSchema } from '../contract/limits.js';
import { AppError, ROOMS_ERRORS } from '../errors/index.js';

const RoomId = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\s]+$' });
const OptionalRoomId = Type.Optional(RoomId);

/** Requested resource limits; unknown keys are refused so a typo never falls back to a default silently. */
export const LimitsPayload = requestedLimitsSchema();

/** `username` is seed 003's claimed name: shown for a tokenless connection, ignored for a verified one. */
export const JoinRoomPayload = Type.Object({ roomId: RoomId, username: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])) });
export const RoomRefPayload = Type.Object({ roomId: OptionalRoomId });
export const CodeChangePayload = Type.Object({
  roomId: RoomId,
  code: Type.String(),
  /** The room sequence the client's text is based on. */
  sequence: Type.Integer({ minimum: 0 }),
  language: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export const ExecuteCodePayload = Type.Object({
  roomId: RoomId,
  language: Type.String({ minLength: 1, maxLength: 64 }),
  code: Type.String(),
  input: Type.Optional(Type.String()),
  stdin: Type.Optional(Type.String()),
  args: Type.Optional(Type.Array(Type.String())),
  testCases: Type.Optional(
    Type.Array(
      Type.Object({
        stdin: Type.Optional(Type.String()),
        input: Type.Optional(Type.String()),
        expectedOutput: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      }),
    ),
  ),
  limits: Type.Optional(LimitsPayload),
  correlationId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  priority: Type.Optional(Type.Union([Type.Literal('run'), Type.Literal('submit')])),
});
export const HistoryPayload = Type.Object({ roomId: OptionalRoomId, limit: Type.Optional(Type.Integer({ minimum: 1 })) });
export const CancelPayload = Type.Object({ executionId: Type.String({ minLength: 1, maxLength: 200 }) });
export const DocumentSyncPayload = Type.Object({ roomId: RoomId, message: Type.Uint8Array() });
export const AwarenessPayload = Type.Object({ roomId: RoomId, update: Type.Uint8Array() });

export const InteractiveStartPayload = Type.Object({
  language: Type.String({ minLength: 1, maxLength: 64 }),
  code: Type.String(),
  stdin: Type.Optional(Type.String()),
  args: Type.Optional(Type.Array(Type.String())),
  /** `wallTimeMs` and `cpuTimeMs` default to and are capped by `limits.interactive`; the rest as for batch runs. */
  limits: Type.Optional(LimitsPayload),
  /** Ends the run after this long without stdin and without output, ms; capped by `limits.interactive.max.idleTimeoutMs`. */
  idleTimeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
});
export const InteractiveStdinPayload = Type.Object({ data: Type.Optional(Type.String()), eof: Type.Optional(Type.Boolean()) });
export const InteractiveSignalPayload = Type.Object({
  name: Type.Union(['SIGINT', 'SIGTERM', 'SIGKILL', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGSTOP', 'SIGCONT'].map((name) => Type.Literal(name))),
});

export type JoinRoom = Static<typeof JoinRoomPayload>;
export type RoomRef = Static<typeof RoomRefPayload>;
export type CodeChange = Static<typeof CodeChangePayload>;
export type ExecuteCode = Static<typeof ExecuteCodePayload>;
export type HistoryRequest = Static<typeof HistoryPayload>;
export type CancelRequest = Static<typeof CancelPayload>;
export type DocumentSync = Static<typeof DocumentSyncPayload>;
export type AwarenessMessage = Static<typeof AwarenessPayload>;
export type InteractiveStart = Static<typeof InteractiveStartPayload>;
export type InteractiveStdin = Static<typeof InteractiveStdinPayload>;
export type InteractiveSignal = Static<typeof InteractiveSignalPayload>;

/** A compiled check that turns a raw payload into its typed shape or throws `RUNLANE_ERR_ROOMS_BAD_PAYLOAD`. */
export interface PayloadParser<T> {
  (raw: unknown): T;
}

/** Compiles `schema` once; `optional` accepts a missing payload as `{}` (events whose fields are all optional). */
export function payloadParser<S extends TSchema>(event: string, schema: S, options: { optional?: boolean } = {}): PayloadParser<Static<S>> {
  const check: TypeCheck<S> = TypeCompiler.Compile(schema);
  return (raw) => {
    const value = raw === undefined && options.optional ? {} : raw;
    if (check.Check(value)) return value;
    const first = check.Errors(value).First();
    const where = first ? (first.path === '' ? 'the payload' : `\`${first.path.slice(1).replaceAll('/', '.')}\``) : 'the payload';
    throw new AppError(ROOMS_ERRORS.badPayload, `${event}: ${where} ${first ? first.message.toLowerCase() : 'is invalid'}`, {
      details: { event, ...(first ? { path: first.path } : {}) },
    });
  };
}

/** Parsers of every client event, by name. */
export const parse = {
  joinRoom: payloadParser('join-room', JoinRoomPayload),
  leaveRoom: payloadParser('leave-room', RoomRefPayload, { optional: true }),
  roomState: payloadParser('get-room-state', RoomRefPayload, { optional: true }),
  executionStatus: payloadParser('get-execution-status', RoomRefPayload, { optional: true }),
  codeChange: payloadParser('code-change', CodeChangePayload),
  executeCode: payloadParser('execute-code', ExecuteCodePayload),
  history: payloadParser('get-execution-history', HistoryPayload, { optional: true }),
  cancel: payloadParser('cancel-execution', CancelPayload),
  documentSync: payloadParser('yjs-sync', DocumentSyncPayload),
  awareness: payloadParser('yjs-awareness', AwarenessPayload),
  interactiveStart: payloadParser('start', InteractiveStartPayload),
  interactiveStdin: payloadParser('stdin', InteractiveStdinPayload),
  interactiveSignal: payloadParser('signal', InteractiveSignalPayload),
} as const;
