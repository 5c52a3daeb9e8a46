/**
 * Sends Slack interaction requests (a user clicking a button) to an endpoint the way Slack does, signed
 * with the app's signing secret, and can forge, replay or age them for tests of the verifier.
 *
 * Sources:
 * - Verifying requests: https://docs.slack.dev/authentication/verifying-requests-from-slack
 *   "Concatenate the version number, the timestamp, and the body of the request to form a basestring.
 *   Use a colon as the delimiter between the three elements. For example, v0:123456789:command=/weather
 *   &text=94070. The version number right now is always v0." The signature is the hex HMAC-SHA256 of the
 *   basestring keyed with the signing secret, sent as "v0=<hex>" in X-Slack-Signature, with the timestamp
 *   in X-Slack-Request-Timestamp. Receivers should refuse a timestamp "more than five minutes from local
 *   time. It could be a replay attack".
 * - Interaction payloads: https://docs.slack.dev/interactivity/handling-user-interaction ("The payload
 *   will be sent to your configured Request URL in an HTTP POST. The body of that request will contain a
 *   payload parameter") and the block_actions payload reference
 *   https://docs.slack.dev/reference/interaction-payloads/block_actions-payload.
 */
import { createHmac } from "node:crypto";

/** "v0=" + hex HMAC-SHA256 of "v0:{timestamp}:{body}". */
export function slackSignature(signingSecret: string, timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export interface ClickedButton {
  actionId: string;
  value: string;
  blockId?: string;
  text?: string;
  style?: "primary" | "danger";
}

export interface BlockActionsInput {
  user: { id: string; name: string };
  channel: { id: string; name: string };
  /** The message that holds the buttons (its ts at least). */
  message: { ts: string; text?: string; blocks?: unknown[] };
  actions: ClickedButton[];
  teamId?: string;
  apiAppId?: string;
  responseUrl?: string;
  triggerId?: string;
  /** Seconds since the epoch of the click ("action_ts"). */
  actionTs?: number;
}

/** A block_actions payload with the fields of Slack's reference example. */
export function blockActionsPayload(input: BlockActionsInput): Record<string, unknown> {
  const teamId = input.teamId ?? "T0EMULATOR";
  const actionTs = (input.actionTs ?? Number(input.message.ts) + 60).toFixed(6);
  return {
    type: "block_actions",
    user: { id: input.user.id, username: input.user.name, name: input.user.name, team_id: teamId },
    api_app_id: input.apiAppId ?? "A0EMULATOR",
    // The deprecated verification token: present in payloads, not to be trusted.
    token: "verification-token-deprecated",
    container: {
      type: "message",
      message_ts: input.message.ts,
      channel_id: input.channel.id,
      is_ephemeral: false,
    },
    trigger_id: input.triggerId ?? "13345224609.738474920.8088930838d88f008e0",
    team: { id: teamId, domain: "emulated" },
    enterprise: null,
    is_enterprise_install: false,
    channel: input.channel,
    message: {
      type: "message",
      ts: input.message.ts,
      text: input.message.text ?? "",
      ...(input.message.blocks ? { blocks: input.message.blocks } : {}),
    },
    state: { values: {} },
    response_url: input.responseUrl ?? `https://hooks.slack.com/actions/${teamId}/1234567890/emulated`,
    actions: input.actions.map((action) => ({
      action_id: action.actionId,
      block_id: action.blockId ?? "actions",
      text: { type: "plain_text", text: action.text ?? action.actionId, emoji: true },
      value: action.value,
      ...(action.style ? { style: action.style } : {}),
      type: "button",
      action_ts: actionTs,
    })),
  };
}

/** One request as sent: enough to send the very same bytes again. */
export interface SignedInteraction {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Ways to spoil a request, for tests that it is refused. */
export type Forgery =
  /** Signed with another secret. */
  | "wrong-secret"
  /** Signed correctly, then the payload changed (an attacker editing the approved plan digest). */
  | "tampered-body"
  /** No X-Slack-Signature header. */
  | "missing-signature"
  /** No X-Slack-Request-Timestamp header. */
  | "missing-timestamp"
  /** A signature version other than v0. */
  | "other-version";

export interface InteractionOptions {
  /** How many seconds before now the request claims to be made (a stale or replayed request). */
  ageSeconds?: number;
  forge?: Forgery;
}

export interface InteractionResult {
  status: number;
  text: string;
  sent: SignedInteraction;
}

export interface InteractionSender {
  /** Builds, signs and POSTs a payload (form-encoded `payload=<json>`). */
  send(payload: Record<string, unknown>, options?: InteractionOptions): Promise<InteractionResult>;
  /** Builds and signs without sending. */
  sign(payload: Record<string, unknown>, options?: InteractionOptions): SignedInteraction;
  /** Sends exactly the bytes and headers of an earlier request again. */
  replay(sent: SignedInteraction): Promise<InteractionResult>;
}

export function slackInteractionSender(options: {
  url: string;
  signingSecret: string;
  /** Milliseconds since the epoch; tests inject the same clock as the receiver. */
  now?: () => number;
}): InteractionSender {
  const now = options.now ?? Date.now;

  const sign = (payload: Record<string, unknown>, extra: InteractionOptions = {}): SignedInteraction => {
    const timestamp = String(Math.floor(now() / 1000) - (extra.ageSeconds ?? 0));
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const secret = extra.forge === "wrong-secret" ? `${options.signingSecret}-not` : options.signingSecret;
    let signature = slackSignature(secret, timestamp, body);
    if (extra.forge === "other-version") signature = signature.replace(/^v0=/, "v1=");
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signature,
    };
    if (extra.forge === "missing-signature") delete headers["x-slack-signature"];
    if (extra.forge === "missing-timestamp") delete headers["x-slack-request-timestamp"];
    const sentBody =
      extra.forge === "tampered-body"
        ? new URLSearchParams({ payload: JSON.stringify({ ...payload, tampered: true }) }).toString()
        : body;
    return { url: options.url, headers, body: sentBody };
  };

  const post = async (sent: SignedInteraction): Promise<InteractionResult> => {
    const response = await fetch(sent.url, { method: "POST", headers: sent.headers, body: sent.body });
    return { status: response.status, text: await response.text(), sent };
  };

  return {
    sign,
    send: (payload, extra) => post(sign(payload, extra)),
    replay: post,
  };
}
