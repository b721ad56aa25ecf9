// What the release tests share: a real webhook receiver on a free port, and a bounded wait.
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import { freePort } from './ports.js';

/** A webhook receiver that answers with the statuses it is given (then 200) and dedupes on Idempotency-Key. */
export class Receiver {
  readonly requests: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  /** What it published: one body per idempotency key. */
  readonly accepted = new Map<string, string>();
  answers: number[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    const port = await freePort();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        this.requests.push({ headers: req.headers, body });
        const status = this.answers.shift() ?? 200;
        const key = String(req.headers['idempotency-key']);
        if (status === 200 && !this.accepted.has(key)) this.accepted.set(key, body);
        res.writeHead(status).end(status === 200 ? 'ok' : 'try again');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}/releases`;
  }

  reset(answers: number[] = []): void {
    this.requests.length = 0;
    this.accepted.clear();
    this.answers = answers;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/**
 * Polls a condition every 20 ms for at most `ms` (default 5 s): for what happens asynchronously by
 * design (a NOTIFY waking the dispatcher, a chain's service task), never to let time pass.
 */
export async function waitFor(condition: () => Promise<boolean>, ms = 5_000): Promise<void> {
  for (let i = 0; i < ms / 20; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`condition not met within ${ms} ms`);
}
