import { createServer } from 'node:net';

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
