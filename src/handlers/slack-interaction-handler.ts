/**
 * The interaction endpoint's Lambda event (a function URL: payload format 2.0, the body possibly
 * base64-encoded) in and out of `handleSlackInteraction`. Slack wants an answer within three seconds;
 * the decision is a state read and write, the reply a single POST.
 */
import { type ApprovalDependencies, handleSlackInteraction } from "../app/slack-approval.js";

/** The parts of a Lambda function URL request this endpoint reads. */
export interface FunctionUrlEvent {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } };
}

export interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export async function handleInteractionEvent(
  event: FunctionUrlEvent,
  deps: ApprovalDependencies,
): Promise<FunctionUrlResult> {
  const method = event.requestContext?.http?.method ?? "POST";
  if (method !== "POST") {
    return { statusCode: 405, headers: { "content-type": "text/plain" }, body: "POST only" };
  }
  const raw = event.body ?? "";
  // The signature is over the bytes Slack sent: decode exactly, never re-serialize.
  const body = event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw;
  const answer = await handleSlackInteraction({ headers: event.headers ?? {}, body }, deps);
  return { statusCode: answer.statusCode, headers: { "content-type": "text/plain" }, body: answer.body };
}
