/**
 * The Google push receiver's one use case: check a notification, enqueue what it names, answer at once.
 *
 * Order of checks, cheapest first, so a flood of forgeries costs no read: the headers, the channel token
 * (an HMAC of the channel id, compared in constant time), the channel record (known id, same resource),
 * the message number (replays and stale numbers), then the body's identifiers.
 *
 * Answers (both push guides: "200, 201, 202, 204, or 102" acknowledge; after "500, 502, 503, or 504"
 * Google retries with exponential backoff; "Every other return status code is considered to be a
 * message failure", not retried):
 * - 401 for a missing or wrong token: not ours, and nothing for Google to retry;
 * - 400 for a request without the headers Google always sends;
 * - 200 for everything accepted or deliberately ignored (sync message, unknown or stopped channel,
 *   replayed or stale number, a body naming nobody): retrying would not change the answer;
 * - 503 when the queue or the channel store cannot be reached, so Google retries later.
 * The token is never logged.
 */
import { createHash } from "node:crypto";
import { isChannelToken } from "./channel-token.js";
import { parseNotificationHeaders, subjectsOfNotification } from "./google-notification.js";
import { judgeMessageNumber } from "./message-numbers.js";
import type { ChannelStore, EventLogger, SyncQueue } from "./ports.js";

export interface PushRequest {
  method: string;
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

export type PushOutcome =
  | "enqueued"
  | "sync"
  | "forged"
  | "malformed"
  | "unknown-channel"
  | "replayed"
  | "stale"
  | "no-subject"
  | "unavailable";

export interface PushAnswer {
  status: number;
  outcome: PushOutcome;
}

export interface PushReceiverDependencies {
  channels: ChannelStore;
  queue: SyncQueue;
  /** The secret channel tokens are derived from (read once per container). */
  channelSecret: () => Promise<string>;
  logger: EventLogger;
}

/** Largest body read: a Reports activity is a few KB; anything far bigger is not Google's. */
export const maxNotificationBytes = 256 * 1024;

const casAttempts = 5;

export async function receiveGoogleNotification(
  request: PushRequest,
  deps: PushReceiverDependencies,
): Promise<PushAnswer> {
  const { logger } = deps;
  if (request.method.toUpperCase() !== "POST") return answer(405, "malformed");
  const parsed = parseNotificationHeaders(request.headers);
  if (!parsed.ok) {
    logger.warn("push refused: not a Google notification", { problem: parsed.problem });
    return answer(400, "malformed");
  }
  const { notification } = parsed;
  const about = {
    channelId: notification.channelId,
    resourceState: notification.resourceState,
    messageNumber: notification.messageNumber,
  };

  let secret: string;
  try {
    secret = await deps.channelSecret();
  } catch (error) {
    logger.error("push not checked: the channel secret cannot be read", {
      ...about,
      error: (error as Error).message,
    });
    return answer(503, "unavailable");
  }
  if (!isChannelToken(secret, notification.channelId, notification.token)) {
    logger.warn("push refused: wrong or missing channel token", {
      ...about,
      tokenPresent: notification.token !== undefined,
    });
    return answer(401, "forged");
  }

  try {
    for (let attempt = 0; attempt < casAttempts; attempt += 1) {
      const stored = await deps.channels.get(notification.channelId);
      if (!stored || stored.record.resourceId !== notification.resourceId) {
        // A channel stopped or replaced keeps delivering for a while; Google needs no retry for it.
        logger.info("push ignored: unknown channel", about);
        return answer(200, "unknown-channel");
      }
      const verdict = judgeMessageNumber(stored.record.seen, notification.messageNumber);
      if (!verdict.accept) {
        logger.info(`push ignored: ${verdict.reason} message number`, about);
        return answer(200, verdict.reason);
      }
      // Enqueue first, then keep the number: a failed enqueue answers 503 and Google's retry is not taken
      // for a replay; two deliveries racing both enqueue under one deduplication id, which SQS collapses.
      let outcome: PushAnswer;
      if (notification.resourceState === "sync") {
        outcome = answer(200, "sync");
      } else {
        const body = request.body.length > maxNotificationBytes ? "" : request.body;
        const named = subjectsOfNotification(stored.record.api, notification.resourceState, body);
        if ("ignored" in named) {
          logger.info("push names no subject", { ...about, why: named.ignored });
          outcome = answer(200, "no-subject");
        } else {
          await deps.queue.send(
            { kind: "targeted", origin: "google-push", subjects: named.subjects },
            deduplicationId(notification.channelId, notification.messageNumber),
          );
          logger.info("push enqueued", {
            ...about,
            subjects: named.subjects.length,
            watch: stored.record.watch,
          });
          outcome = answer(200, "enqueued");
        }
      }
      if (await deps.channels.replace({ ...stored.record, seen: verdict.seen }, stored.version)) {
        if (outcome.outcome === "sync") logger.info("push channel confirmed (sync message)", about);
        return outcome;
      }
    }
    logger.warn("push not kept: the channel record kept changing; Google will retry", about);
    return answer(503, "unavailable");
  } catch (error) {
    logger.error("push not enqueued; Google will retry", { ...about, error: (error as Error).message });
    return answer(503, "unavailable");
  }
}

/** Google's retries of one notification collapse into one queue message (FIFO deduplication, 5 minutes). */
export function deduplicationId(channelId: string, messageNumber: number): string {
  return createHash("sha256").update(`google:${channelId}:${messageNumber}`).digest("hex");
}

function answer(status: number, outcome: PushOutcome): PushAnswer {
  return { status, outcome };
}
