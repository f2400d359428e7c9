/** A local alert webhook for tests and recordings: it answers each alert after `holdMs`, and keeps what it received. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowWebhook {
  url: string;
  /** The alerts' bodies, in the order they arrived. */
  received: string[];
  /** When the webhook first answered, if it has. */
  answeredAt(): number | undefined;
  /** Answers whatever it still holds, then closes. */
  close(): void;
}

export async function slowWebhook(holdMs: number): Promise<SlowWebhook> {
  const received: string[] = [];
  const held: Array<() => void> = [];
  let answeredAt: number | undefined;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    request.on('end', () => {
      received.push(body);
      const answer = () => {
        if (response.headersSent) return;
        answeredAt ??= Date.now();
        response.writeHead(200).end();
      };
      held.push(answer);
      setTimeout(answer, holdMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answeredAt: () => answeredAt,
    close() {
      for (const answer of held) answer();
      server.closeAllConnections();
      server.close();
    },
  };
}
