/**
 * The token of a watch channel: an HMAC of the channel id under a secret kept in Secrets Manager. Google
 * echoes it in `X-Goog-Channel-Token`; the receiver recomputes it and compares in constant time, so no
 * token is stored anywhere and a forged notification is refused before anything is read. Google says not
 * to put secrets such as OAuth tokens in the token: this one opens nothing but the receiver.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The token for a channel id (base64url, 43 characters: within Google's 256). */
export function channelToken(secret: string, channelId: string): string {
  return createHmac("sha256", secret).update(`idc-sync channel ${channelId}`).digest("base64url");
}

/** Whether `presented` is the channel's token, compared in constant time. */
export function isChannelToken(secret: string, channelId: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(channelToken(secret, channelId), "utf8");
  const given = Buffer.from(presented, "utf8");
  // timingSafeEqual needs equal lengths; the expected length is public (always 43), so this leaks nothing.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
