// JSON POSTs over a keep-alive connection pool (node:http Agent), as a client of `?wait=true` would send them.
import { Agent, request } from 'node:http';

/** A client holding at most `sockets` keep-alive connections to one server. */
export function keepAliveClient(baseUrl: string, sockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const url = new URL(baseUrl);
  return {
    /** POSTs `body` as JSON to `path`; resolves with the status and the parsed answer. */
    post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
      const payload = JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = request(
          { agent, hostname: url.hostname, port: url.port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.once('error', reject);
            res.once('end', () => {
              const text = Buffer.concat(chunks).toString();
              try {
                resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
              } catch {
                reject(new Error(`answer ${res.statusCode} is not JSON: ${text.slice(0, 200)}`));
              }
            });
          },
        );
        req.once('error', reject);
        req.end(payload);
      });
    },
    close(): void {
      agent.destroy();
    },
  };
}
