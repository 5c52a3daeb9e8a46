/**
 * A local webhook receiver for tests of Google push notifications: records every POST (headers and
 * body) and answers with the statuses a test scripts (default 200).
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedNotification {
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered. */
  answered: number;
}

export interface PushReceiver {
  url: string;
  received: ReceivedNotification[];
  /** The next answers, in order; once used up the receiver answers 200. */
  answerNext(...statuses: number[]): void;
  close(): Promise<void>;
}

export async function startPushReceiver(path = "/google/notifications"): Promise<PushReceiver> {
  const received: ReceivedNotification[] = [];
  const scripted: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const answered = scripted.shift() ?? 200;
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), answered });
      response.statusCode = answered;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    answerNext: (...statuses) => {
      scripted.push(...statuses);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
