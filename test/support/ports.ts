import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startTemporalDevServer } from '../../src/embedded/temporal-dev-server.js';

// Ports for test servers come from below Linux's ephemeral range (32768–60999). A port the OS
// hands out for bind(0) or for an outgoing connection's local end is in that range, so a port
// picked there can be taken again before our server binds it: the Temporal dev server picks its
// internal ports that way, and each client connection takes one. Below it, only another test
// picking the same random number could collide, and the bind check catches a port already held.
const LOW = 20_000;
const HIGH = 32_000;

/** A TCP port free on loopback right now, outside the range the OS hands out by itself. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free TCP port between ${LOW} and ${HIGH} after 100 tries`);
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The dev server also binds internal ports it picks itself; on a busy machine one of ours can be
 * taken in between. It then exits at once, saying so: try again with other ports, twice at most.
 */
export async function startDevServerOnFreePorts(cliPath: string, dataDir: string, logger: Logger) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startTemporalDevServer({
        cliPath,
        dataDir: join(dataDir, `attempt-${attempt}`),
        port: await freePort(),
        uiPort: await freePort(),
        namespace: 'default',
        logger,
      });
    } catch (err) {
      if (attempt >= 3 || !/exited with .* before it was ready/.test(String(err))) throw err;
      logger.warn({ err: String(err).slice(0, 300) }, 'Temporal dev server did not start; trying other ports');
    }
  }
}
