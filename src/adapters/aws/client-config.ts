/**
 * The configuration every AWS SDK client of idc-sync is built with: one deadline per request that
 * covers the body, and (for the JSON protocols) a check that a read's answer is a JSON object, both in
 * `GuardedHttpHandler`. Clients of the adapters that own their retries also send each attempt once.
 */
import { defaultAwsRequestDeadlineMs, GuardedHttpHandler } from "./guarded-http-handler.js";

export interface AwsClientSettings {
  /** Deadline of one request, headers and body. Default 30 s. */
  deadlineMs?: number;
  /** False for the XML (Query) protocols: IAM and STS. Default true. */
  jsonReads?: boolean;
}

/** The request handler alone, for clients that keep the SDK's own retries (DynamoDB, Secrets Manager). */
export function guardedRequestHandler(settings: AwsClientSettings = {}): GuardedHttpHandler {
  return new GuardedHttpHandler({
    deadlineMs: settings.deadlineMs ?? defaultAwsRequestDeadlineMs,
    jsonReads: settings.jsonReads ?? true,
  });
}

/** For clients under an adapter's retry policy: one attempt per send, through the guarded handler. */
export function adapterClientConfig(settings: AwsClientSettings = {}) {
  return { maxAttempts: 1, requestHandler: guardedRequestHandler(settings) } as const;
}
