// One interactive run per connection: start it through the service, stream stdout/stderr out and stdin in, report the exit.
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { Identity } from '../domain/identity.js';
import type { ExecutionResult } from '../domain/result.js';
import type { InteractiveStart as EngineStart } from '../engine/engine.js';
import { AppError, HTTP_ERRORS, ROOMS_ERRORS } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import type { SandboxProcess } from '../sandbox/sandbox.js';
import type { InteractiveSession, SubmissionService } from '../submissions/index.js';
import { INTERACTIVE_SERVER_EVENTS, type InteractiveClientEvent, type InteractiveExitEvent, type InteractiveQueuedEvent, type InteractiveStartedEvent } from '../contract/realtime.js';
import { withPositionAlias } from '../contract/seed-aliases.js';
import { buildInteractiveRequest } from './build-request.js';
import { IdleTimer } from './idle-timer.js';
import { stagePayload } from './execution-payloads.js';
import { parse, type InteractiveStart, type InteractiveStdin } from './client-payloads.js';

export type InteractiveService = Pick<SubmissionService, 'startInteractive' | 'languages'>;

export interface InteractiveRunDeps {
  service: InteractiveService;
  identity: Identity;
  /** Sends an event to the connection that owns the run. */
  send: (event: string, payload: object) => void;
  logger: Logger;
  maxStdinChunkBytes: number;
  /** Total stdin a run may receive (`limits.maxStdinBytes`, as for batch runs). */
  maxStdinBytes: number;
  /** How long a run may go without stdin and without output (`limits.interactive.*.idleTimeoutMs`). */
  idleTimeout: IdleTimeoutSettings;
}

/** The configured idle timeout of interactive runs: what a run gets, and the most a `start` may ask for. */
export interface IdleTimeoutSettings {
  /** @defaultValue 120000 (`limits.interactive.defaults.idleTimeoutMs`) */
  defaultMs: number;
  /** @defaultValue 600000 (`limits.interactive.max.idleTimeoutMs`) */
  maxMs: number;
}

/** Waits this long after the program's outcome for its output streams to drain before reporting the exit anyway. */
const DRAIN_GRACE_MS = 2_000;

/** The interactive run of one connection, from `start` to `exit`. */
export class InteractiveRun {
  private session: InteractiveSession | null = null;
  private process: SandboxProcess | null = null;
  private stdinBytes = 0;
  private starting = false;
  private disposed = false;
  /** Ends the running program once nobody has typed and it has printed nothing for the run's idle timeout. */
  private idle: IdleTimer | null = null;
  private idleTimeoutMs = 0;

  constructor(private readonly deps: InteractiveRunDeps) {}

  /** Handles one client event; resolves with the ack body or rejects with an AppError. */
  async handle(event: InteractiveClientEvent, raw: unknown): Promise<object> {
    switch (event) {
      case 'start':
        return this.start(parse.interactiveStart(raw));
      case 'stdin':
        return this.stdin(parse.interactiveStdin(raw));
      case 'signal':
        this.running('signal').signal(parse.interactiveSignal(raw).name as NodeJS.Signals);
        return {};
      case 'kill':
        return this.kill();
    }
  }

  /** The connection went away: a queued run is cancelled, a running one killed, so its slot is freed. */
  dispose(): void {
    this.disposed = true;
    if (this.session) void this.stopSession(this.session);
  }

  private async start(payload: InteractiveStart): Promise<InteractiveQueuedEvent> {
    if (this.session || this.starting) throw new AppError(ROOMS_ERRORS.interactiveAlreadyStarted, 'a program is already running on this stream; kill it or wait for `exit`');
    const { service, identity } = this.deps;
    const idleTimeoutMs = this.idleTimeoutOf(payload);
    let session: InteractiveSession;
    this.starting = true;
    try {
      session = await service.startInteractive({ request: buildInteractiveRequest(payload, service.languages()), user: identity, priorityKind: 'run' });
    } finally {
      this.starting = false;
    }
    this.session = session;
    this.stdinBytes = 0;
    this.idleTimeoutMs = idleTimeoutMs;
    if (this.disposed) {
      void this.stopSession(session);
      return withPositionAlias({ executionId: session.id, queuePosition: session.position });
    }
    this.deps.send(INTERACTIVE_SERVER_EVENTS.queued, withPositionAlias({ executionId: session.id, queuePosition: session.position }));
    session.started.then(
      (start) => this.onStarted(session, start, payload.stdin),
      (error: unknown) => this.onNotStarted(session, error),
    );
    return withPositionAlias({ executionId: session.id, queuePosition: session.position });
  }

  private stdin(payload: InteractiveStdin): object {
    const process = this.running('stdin');
    const data = payload.data ?? '';
    const bytes = Buffer.byteLength(data);
    const { maxStdinChunkBytes, maxStdinBytes } = this.deps;
    if (bytes > maxStdinChunkBytes) {
      throw new AppError(ROOMS_ERRORS.payloadTooLarge, `stdin chunk is ${bytes} bytes; at most ${maxStdinChunkBytes} bytes per chunk are allowed`, {
        details: { bytes, maximum: maxStdinChunkBytes },
      });
    }
    if (this.stdinBytes + bytes > maxStdinBytes) {
      throw new AppError(ROOMS_ERRORS.payloadTooLarge, `stdin would exceed ${maxStdinBytes} bytes for this run`, { details: { maximum: maxStdinBytes } });
    }
    this.stdinBytes += bytes;
    this.idle?.touch();
    if (data !== '' && process.stdin.writable) process.stdin.write(data);
    if (payload.eof) process.stdin.end();
    return { bytes };
  }

  private async kill(): Promise<object> {
    if (this.process) {
      this.process.kill();
      return {};
    }
    if (!this.session) throw new AppError(ROOMS_ERRORS.interactiveNotStarted, 'kill: nothing is queued or running on this stream');
    await this.stopSession(this.session);
    return {};
  }

  private onStarted(session: InteractiveSession, start: EngineStart, initialStdin: string | undefined): void {
    if (this.session !== session) return;
    if (start.compileError || !start.process) {
      void start.outcome.then(
        (result) => this.finish(session, { ...exitFigures(result), compile: start.compileError && stagePayload(start.compileError) }),
        (error: unknown) => this.finish(session, failure(error)),
      );
      return;
    }
    const process = start.process;
    this.process = process;
    // A write after the program exited fails with EPIPE; the exit event already tells the client what happened.
    process.stdin.on('error', () => undefined);
    const started: InteractiveStartedEvent = { executionId: session.id, limits: { ...start.limits }, idleTimeoutMs: this.idleTimeoutMs };
    this.deps.send(INTERACTIVE_SERVER_EVENTS.started, started);
    const idle = new IdleTimer(this.idleTimeoutMs, () => process.kill());
    this.idle = idle;
    const drained = Promise.all([this.pipe(process.stdout, INTERACTIVE_SERVER_EVENTS.stdout, session.id), this.pipe(process.stderr, INTERACTIVE_SERVER_EVENTS.stderr, session.id)]);
    if (initialStdin) process.stdin.write(initialStdin);
    if (this.disposed) process.kill();
    start.outcome.then(
      async (result) => {
        // Decided when the program ended: a timer firing while the last output drains must not rename a normal exit.
        idle.stop();
        await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, DRAIN_GRACE_MS).unref())]);
        this.finish(session, idle.fired ? idleExit(result, this.idleTimeoutMs) : exitFigures(result));
      },
      (error: unknown) => this.finish(session, failure(error)),
    );
  }

  private onNotStarted(session: InteractiveSession, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.finish(session, { verdict: null, status: reason === 'cancelled' ? 'cancelled' : 'failed', message: reason });
  }

  private finish(session: InteractiveSession, payload: Omit<InteractiveExitEvent, 'executionId'>): void {
    if (this.session !== session) return;
    this.session = null;
    this.process = null;
    this.idle?.stop();
    this.idle = null;
    const exit: InteractiveExitEvent = { executionId: session.id, ...payload };
    this.deps.send(INTERACTIVE_SERVER_EVENTS.exit, exit);
  }

  private pipe(stream: Readable, event: string, executionId: string): Promise<void> {
    // Decoding per stream keeps a multi-byte character split across chunks intact.
    const decoder = new StringDecoder('utf8');
    stream.on('data', (chunk: Buffer) => {
      this.idle?.touch();
      const data = decoder.write(chunk);
      if (data !== '') this.deps.send(event, { executionId, data });
    });
    return finished(stream).then(
      () => {
        const rest = decoder.end();
        if (rest !== '') this.deps.send(event, { executionId, data: rest });
      },
      () => undefined,
    );
  }

  /** The idle timeout the `start` asks for, or the configured default; above the maximum is refused, never clamped. */
  private idleTimeoutOf(payload: InteractiveStart): number {
    const { defaultMs, maxMs } = this.deps.idleTimeout;
    const requested = payload.idleTimeoutMs;
    if (requested === undefined) return defaultMs;
    if (requested > maxMs) {
      throw new AppError(HTTP_ERRORS.limitTooHigh, `idleTimeoutMs is ${requested}; the server allows at most ${maxMs}`, {
        details: { key: 'idleTimeoutMs', requested, maximum: maxMs },
      });
    }
    return requested;
  }

  private running(event: string): SandboxProcess {
    if (!this.process) throw new AppError(ROOMS_ERRORS.interactiveNotStarted, `${event}: no program is running on this stream; send \`start\` and wait for \`started\``);
    return this.process;
  }

  private async stopSession(session: InteractiveSession): Promise<void> {
    try {
      await session.stop();
    } catch (error) {
      // Between leaving the queue and handing over its process the run can be neither cancelled nor killed yet: kill it on hand-over.
      this.deps.logger.debug({ err: error, executionId: session.id }, 'interactive run was starting when stopped; killing it once started');
      session.started.then((start) => start.process?.kill(), () => undefined);
    }
  }
}

function exitFigures(result: ExecutionResult): Omit<InteractiveExitEvent, 'executionId'> {
  // A run stopped by kill or disconnect has no run stage to judge; calling it accepted would be a lie.
  const stopped = result.testCases.length === 0 && result.verdict !== 'compilation_error';
  return {
    status: stopped ? 'killed' : 'completed',
    verdict: stopped ? null : result.verdict,
    exitCode: result.exitCode,
    signal: result.signal,
    time: result.cpuTimeMs,
    wallTime: result.wallTimeMs,
    memory: result.memoryKb,
    message: result.message,
  };
}

/** The exit of a run ended for want of input or output: killed, with the reason said plainly. */
function idleExit(result: ExecutionResult, idleTimeoutMs: number): Omit<InteractiveExitEvent, 'executionId'> {
  return {
    ...exitFigures(result),
    status: 'killed',
    verdict: null,
    reason: 'idle_timeout',
    message: `ended after ${formatSeconds(idleTimeoutMs)} without input or output (idle timeout); send stdin within that time to keep a run going`,
  };
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

function failure(error: unknown): Omit<InteractiveExitEvent, 'executionId'> {
  return { status: 'failed', verdict: 'internal_error', message: error instanceof Error ? error.message : String(error) };
}
