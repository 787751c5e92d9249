// Room broadcasts at scale: execution-completed latency from server emit to client receipt with 500 sockets in 50 rooms, and executions/s via Socket.IO vs REST.
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Socket } from 'socket.io-client';
import { connect, createRealtimeStack, request, type RealtimeStack } from '../../test/support/realtime.js';
import { makeUser } from '../../test/support/tokens.js';
import { percentile } from '../lib/stats.js';
import type { BenchContext, BenchRow } from '../lib/types.js';

export const name = 'rooms-broadcast';
export const description =
  '500 Socket.IO clients in 50 rooms of 10 (server and clients in one process): latency of each `execution-completed` from the server\'s emit to every member\'s receipt, then executions/s submitted through sockets vs. through REST (`POST /api/v1/submissions?wait=true`) in the same run.';

const ROOMS = 50;
const PER_ROOM = 10;

interface Client {
  socket: Socket;
  roomId: string;
  token: string;
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  // A long `wait` so every REST request gets its result in the same request, as a socket client gets its event.
  // Every client connects from this host's address, so the per-address connection cap is lifted.
  const stack = await createRealtimeStack({
    scheduler: { maxConcurrent: ctx.cores, roomMaxQueued: PER_ROOM, maxQueued: 100_000, maxWaitMs: 600_000 },
    realtime: { maxConnectionsPerIp: 100_000 },
  });
  const clients: Client[] = [];
  try {
    const emittedAt = recordCompletedEmits(stack);
    const receipts: number[] = [];
    const pending = new Map<string, () => void>();
    const runId = randomUUID().slice(0, 8);
    // Connecting in batches keeps the handshakes from timing out on a small machine.
    for (let batch = 0; batch < ROOMS; batch += 1) {
      clients.push(
        ...(await Promise.all(
          Array.from({ length: PER_ROOM }, async () => {
            const user = await makeUser('Bench User');
            const socket = await connect(stack.url, { token: user.token, timeoutMs: 30_000 });
            const roomId = `bench-${runId}-${batch}`;
            socket.on('execution-completed', (event: { executionId: string }) => {
              const sent = emittedAt.get(event.executionId);
              if (sent !== undefined) receipts.push(performance.now() - sent);
              pending.get(event.executionId)?.();
            });
            const joined = await request(socket, 'join-room', { roomId }, 30_000);
            if (!joined.ok) throw new Error(`join-room failed: ${JSON.stringify(joined)}`);
            return { socket, roomId, token: user.token };
          }),
        )),
      );
    }
    ctx.log(`${clients.length} sockets joined ${ROOMS} rooms`);

    // Submitters spread evenly over the rooms; every completion is broadcast to a room of 10, which gives the latency samples.
    const executions = ctx.iterations(200, 50);
    const submitters = Array.from({ length: Math.min(executions, clients.length) }, (_, index) => clients[(index % ROOMS) * PER_ROOM + Math.floor(index / ROOMS)]!);
    // Server and clients share one event loop here, so its delay is reported next to the latency it inflates.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const viaSockets = await throughputViaSockets(submitters, pending);
    loopDelay.disable();
    ctx.log(`sockets: ${viaSockets.executions} executions in ${Math.round(viaSockets.ms)} ms`);
    const viaRest = await throughputViaRest(stack, submitters.map((client) => client.token));
    ctx.log(`REST: ${viaRest.executions} executions in ${Math.round(viaRest.ms)} ms`);

    const socketRate = viaSockets.executions / (viaSockets.ms / 1000);
    const restRate = viaRest.executions / (viaRest.ms / 1000);
    return [
      {
        measure: 'execution-completed broadcast latency',
        sockets: clients.length,
        rooms: ROOMS,
        samples: receipts.length,
        'p50 ms': percentile(receipts, 50),
        'p99 ms': percentile(receipts, 99),
        'max ms': percentile(receipts, 100),
        'executions/s': null,
        'vs REST': null,
      },
      {
        measure: 'event loop delay meanwhile (shared by server and clients)',
        sockets: clients.length,
        rooms: ROOMS,
        samples: loopDelay.count,
        'p50 ms': loopDelay.percentile(50) / 1e6,
        'p99 ms': loopDelay.percentile(99) / 1e6,
        'max ms': loopDelay.max / 1e6,
        'executions/s': null,
        'vs REST': null,
      },
      { measure: 'executions via Socket.IO (execute-code → execution-completed)', sockets: clients.length, rooms: ROOMS, samples: viaSockets.executions, 'p50 ms': null, 'p99 ms': null, 'max ms': null, 'executions/s': socketRate, 'vs REST': socketRate / restRate },
      { measure: 'executions via REST (POST ?wait=true)', sockets: null, rooms: null, samples: viaRest.executions, 'p50 ms': null, 'p99 ms': null, 'max ms': null, 'executions/s': restRate, 'vs REST': 1 },
    ];
  } finally {
    for (const client of clients) client.socket.close();
    await stack.close();
  }
}

/** Notes when the server hands each `execution-completed` to the adapter, i.e. the moment of the room emit. */
function recordCompletedEmits(stack: RealtimeStack): Map<string, number> {
  const emittedAt = new Map<string, number>();
  const adapter = stack.realtime.io.of('/').adapter as unknown as { broadcast(packet: { data?: unknown[] }, options: unknown): void };
  const broadcast = adapter.broadcast.bind(adapter);
  adapter.broadcast = (packet, options) => {
    const [event, payload] = packet.data ?? [];
    if (event === 'execution-completed') emittedAt.set((payload as { executionId: string }).executionId, performance.now());
    broadcast(packet, options);
  };
  return emittedAt;
}

async function throughputViaSockets(clients: readonly Client[], pending: Map<string, () => void>): Promise<{ executions: number; ms: number }> {
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, index) => {
      const ack = await request(client.socket, 'execute-code', { roomId: client.roomId, language: 'python', code: `print(${index})` }, 120_000);
      if (!ack.ok) throw new Error(`execute-code refused: ${JSON.stringify(ack.error)}`);
      await new Promise<void>((resolve) => pending.set(ack.executionId, resolve));
    }),
  );
  return { executions: clients.length, ms: performance.now() - started };
}

async function throughputViaRest(stack: RealtimeStack, tokens: readonly string[]): Promise<{ executions: number; ms: number }> {
  const started = performance.now();
  await Promise.all(
    tokens.map(async (token, index) => {
      const response = await fetch(`${stack.url}/api/v1/submissions?wait=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ language: 'python', source: `print(${index})` }),
      });
      const body = (await response.json()) as { status?: string };
      if (body.status !== 'completed') throw new Error(`REST submission ended ${response.status} ${JSON.stringify(body)}`);
    }),
  );
  return { executions: tokens.length, ms: performance.now() - started };
}
