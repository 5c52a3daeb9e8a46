/**
 * Slack's request signing (docs.slack.dev/authentication/verifying-requests-from-slack): the signature
 * is "v0=" and the hex HMAC-SHA256, keyed with the app's signing secret, of "v0:{timestamp}:{raw body}";
 * the timestamp is in X-Slack-Request-Timestamp and a request whose timestamp is "more than five minutes
 * from local time" may be a replay and is refused. The comparison is constant-time (`timingSafeEqual`),
 * so the time it takes says nothing about how much of a forged signature was right.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Five minutes either way, as Slack's page says. */
export const signatureWindowSeconds = 5 * 60;

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

export interface SignedRequest {
  /** X-Slack-Request-Timestamp: seconds since the epoch. */
  timestamp: string | undefined;
  /** X-Slack-Signature: "v0=<hex>". */
  signature: string | undefined;
  /** The body exactly as received, before any parsing. */
  rawBody: string;
}

/** Checks one request against the signing secret at `nowSeconds`. */
export function verifySlackSignature(
  request: SignedRequest,
  signingSecret: string,
  nowSeconds: number,
): SignatureVerdict {
  const { timestamp, signature, rawBody } = request;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, reason: "no valid X-Slack-Request-Timestamp header" };
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > signatureWindowSeconds) {
    return {
      ok: false,
      reason: `request timestamp ${timestamp} is more than five minutes from now (${Math.floor(nowSeconds)}): refused as a possible replay`,
    };
  }
  if (!signature) return { ok: false, reason: "no X-Slack-Signature header" };
  if (!signature.startsWith("v0=")) return { ok: false, reason: "the signature is not a v0 signature" };
  const expected = Buffer.from(
    `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`,
    "utf8",
  );
  const given = Buffer.from(signature, "utf8");
  // timingSafeEqual needs equal lengths; a length mismatch is a wrong signature, told apart in no time
  // that depends on the secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "the signature does not match the signing secret" };
  }
  return { ok: true };
}
