// Starts the embedded default (`runlane serve`): one node with every role, built by the composition root, listening.
import type { Config } from './config/index.js';
import type { Logger } from './logging/logger.js';
import { createNode } from './node/create-node.js';
import { EMBEDDED_NODE_ID, type SubmissionService } from './submissions/index.js';

/** A running node. */
export interface ServerHandle {
  /** Base URL the HTTP server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  service: SubmissionService;
  /** Graceful stop: no new work, running jobs finish within `shutdown.graceMs`, the rest is marked failed, everything closed. */
  close(): Promise<void>;
}

/** Starts the embedded default: in-process queue, SQLite file, local sandbox workers, REST + Socket.IO on one port. */
export async function startServer(config: Readonly<Config>, logger: Logger): Promise<ServerHandle> {
  const node = await createNode(config, { role: 'all', logger, nodeId: EMBEDDED_NODE_ID });
  try {
    const url = await node.listen();
    return { url, service: node.service, close: () => node.close() };
  } catch (error) {
    await node.close();
    throw error;
  }
}
