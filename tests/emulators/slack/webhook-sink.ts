/**
 * A local stand-in for a Slack incoming webhook: a node:http server that keeps every message posted to
 * it. It can answer like Slack (200 "ok"), fail with a status (429 with `Retry-After`, as Slack's rate
 * limits do: "a HTTP 429 Too Many Requests error, and a Retry-After HTTP header containing the number of
 * seconds until you can retry", api.slack.com/docs/rate-limits), never answer (a timeout), or send its
 * headers and then stall.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SlackMessage } from "../../../src/notify/slack-message.js";

export type SinkBehaviour =
  | { answer: "ok" }
  | { answer: "status"; status: number; retryAfterSeconds?: number }
  | { answer: "hang" }
  /** 200 and a Content-Length, one byte of the body, then silence with the connection open. */
  | { answer: "stallAfterHeaders" };

export interface WebhookSink {
  url: string;
  /** Messages answered 200, in order. */
  messages: SlackMessage[];
  /** Every POST received, answered or not. */
  attempts: number;
  behave(behaviour: SinkBehaviour): void;
  /** All header and section texts of a message, joined, for assertions. */
  textOf(message: SlackMessage): string;
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  let behaviour: SinkBehaviour = { answer: "ok" };
  const messages: SlackMessage[] = [];
  const hanging = new Set<ServerResponse>();
  const sink = { attempts: 0 };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      sink.attempts += 1;
      if (behaviour.answer === "hang") {
        hanging.add(response);
        return;
      }
      if (behaviour.answer === "stallAfterHeaders") {
        response.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
        response.write("o");
        hanging.add(response);
        return;
      }
      if (behaviour.answer === "status") {
        response.statusCode = behaviour.status;
        if (behaviour.retryAfterSeconds !== undefined) {
          response.setHeader("retry-after", String(behaviour.retryAfterSeconds));
        }
        response.end(behaviour.status === 429 ? "rate_limited" : "internal_error");
        return;
      }
      messages.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as SlackMessage);
      response.statusCode = 200;
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXX`,
    messages,
    get attempts() {
      return sink.attempts;
    },
    behave(next) {
      behaviour = next;
    },
    textOf(message) {
      return message.blocks
        .flatMap((block) =>
          block.type === "header" || block.type === "section"
            ? [block.text.text]
            : block.type === "context"
              ? block.elements.map((element) => element.text)
              : [],
        )
        .join("\n");
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
