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
