/**
 * A local Slack Web API for tests: `auth.test`, `chat.postMessage` (threads with `thread_ts`),
 * `chat.update`, `users.lookupByEmail`, `usergroups.users.list` and `conversations.open`, spoken to by the official
 * `@slack/web-api` client through its `slackApiUrl` option. Bearer-token auth, Slack's `ok:false`
 * error shapes, Block Kit and text limits, and the per-method rate limits answered as HTTP 429 with
 * `Retry-After`. The emulator keeps every message so tests can read channels and threads.
 *
 * Sources (quoted below):
 * - Web API basics and errors: https://docs.slack.dev/apis/web-api/
 * - Rate limits: https://docs.slack.dev/apis/web-api/rate-limits
 * - Methods: https://docs.slack.dev/reference/methods/<method> (chat.postMessage, chat.update,
 *   users.lookupByEmail, conversations.open, auth.test)
 * - Block Kit limits: https://docs.slack.dev/reference/block-kit/blocks (section, header, context,
 *   actions, divider) and .../block-elements/button-element
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SlackUser {
  id: string;
  name: string;
  email: string;
  realName?: string;
  deleted?: boolean;
}

/** A user group (S…) and its members' user ids. */
export interface SlackUsergroup {
  id: string;
  users: string[];
  /** Disabled groups are listed only with include_disabled. */
  disabled?: boolean;
}

export interface SlackChannel {
  id: string;
  name: string;
}

export interface SlackMessageRecord {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  /** How many times chat.update changed the message. */
  edits: number;
}

/** Requests per window for one rate-limit bucket. */
export interface RateLimit {
  requests: number;
  windowMs: number;
}

/**
 * "Web API Tier 3: 50+ per minute", "Tier 4: 100+ per minute" and the special tier of chat.postMessage:
 * "chat.postMessage generally allows posting one message per second per channel" (rate limits page).
 * The method pages give the tiers: chat.update Tier 3, users.lookupByEmail Tier 3, conversations.open
 * Tier 3; chat.postMessage "Special rate limits apply". auth.test is listed as a special-tier method too;
 * the emulator applies Tier 3 to it, the stricter guess. The tiers are floors ("50+"): the emulator
 * answers 429 at the floor, the stricter reading.
 */
export const documentedRateLimits = {
  "auth.test": { requests: 50, windowMs: 60_000 },
  "chat.update": { requests: 50, windowMs: 60_000 },
  "users.lookupByEmail": { requests: 50, windowMs: 60_000 },
  "conversations.open": { requests: 50, windowMs: 60_000 },
  /** usergroups.users.list: "Tier 2: 20+ per minute" (method page). */
  "usergroups.users.list": { requests: 20, windowMs: 60_000 },
  /** Per channel: one per second, no burst (the page allows "short bursts" without a guarantee). */
  "chat.postMessage": { requests: 1, windowMs: 1_000 },
} as const satisfies Record<string, RateLimit>;

/** Message limits the emulator enforces. */
export const messageLimits = {
  /** chat.postMessage text: "Provide no more than 40,000 characters or risk truncation"; refused here (msg_too_long). */
  textCharacters: 40_000,
  /** "You can include up to 50 blocks in each message" (Block Kit, blocks). */
  blocks: 50,
  /** Section block `text`: "Maximum length for the text in this field is 3000 characters." */
  sectionText: 3_000,
  /** Section `fields`: "Maximum number of items is 10. Maximum length for the text in each item is 2000 characters." */
  sectionFields: 10,
  sectionFieldText: 2_000,
  /** Header block text: "Maximum length for the text in this field is 150 characters." */
  headerText: 150,
  /** Context block elements: "Maximum number of items is 10." */
  contextElements: 10,
  /** Actions block elements: "There is a maximum of 25 elements in each action block." */
  actionsElements: 25,
  /** Button text "Maximum length for this field is 75 characters"; value "Maximum length ... 2000". */
  buttonText: 75,
  buttonValue: 2_000,
  /** action_id and block_id: "Maximum length for this field is 255 characters." */
  identifier: 255,
} as const;

export interface SlackEmulatorOptions {
  /** Bot tokens the emulator accepts. Default ["xoxb-emulator-token"]. */
  tokens?: string[];
  users?: SlackUser[];
  usergroups?: SlackUsergroup[];
  channels?: SlackChannel[];
  /** Milliseconds since the epoch, for rate limits and message ts; tests inject a clock. */
  now?: () => number;
  /** "documented" (default), "off", or limits per method. */
  rateLimits?: "documented" | "off" | Partial<Record<string, RateLimit>>;
  teamId?: string;
  botUserId?: string;
}

export interface SlackEmulator {
  /** Give this to `new WebClient(token, { slackApiUrl })`; ends in "/api/". */
  slackApiUrl: string;
  token: string;
  /** Messages of a channel (top level and replies) in posting order. */
  messages(channel: string): SlackMessageRecord[];
  /** Replies in the thread of a top-level message, oldest first. */
  thread(channel: string, ts: string): SlackMessageRecord[];
  /** The DM channel id conversations.open gave for a user, if any. */
  directMessageChannel(userId: string): string | undefined;
  /** Requests per method, and how many of them were answered 429. */
  calls(method: string): { total: number; rateLimited: number };
  close(): Promise<void>;
}

type SlackAnswer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };
type Arguments = Record<string, string>;

export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const tokens = new Set(options.tokens ?? ["xoxb-emulator-token"]);
  const now = options.now ?? Date.now;
  const teamId = options.teamId ?? "T0EMULATOR";
  const botUserId = options.botUserId ?? "U0BOTUSER1";
  const users = options.users ?? [];
  const usergroups = options.usergroups ?? [];
  const channels = new Map(
    (options.channels ?? [{ id: "C0ALERTS01", name: "idc-sync-alerts" }]).map((c) => [c.id, c]),
  );
  const limits: Partial<Record<string, RateLimit>> =
    options.rateLimits === "off"
      ? {}
      : options.rateLimits === undefined || options.rateLimits === "documented"
        ? documentedRateLimits
        : options.rateLimits;
  const messages: SlackMessageRecord[] = [];
  const directMessages = new Map<string, string>();
  const windows = new Map<string, number[]>();
  const calls = new Map<string, { total: number; rateLimited: number }>();
  let lastTs = 0;

  const nextTs = (): string => {
    // "ts" values look like "1503435956.000247": seconds and a unique suffix; strictly increasing here.
    const micros = Math.max(now() * 1000, lastTs + 1);
    lastTs = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, "0")}`;
  };

  /** Slack counts "per API method per workspace/team per app"; chat.postMessage also per channel. */
  const rateLimited = (method: string, token: string, args: Arguments): number | undefined => {
    const limit = limits[method];
    if (!limit) return undefined;
    const key =
      method === "chat.postMessage" ? `${method}|${token}|${args.channel ?? ""}` : `${method}|${token}`;
    const at = now();
    const recent = (windows.get(key) ?? []).filter((time) => time > at - limit.windowMs);
    if (recent.length >= limit.requests) {
      windows.set(key, recent);
      // "a Retry-After HTTP header containing the number of seconds until you can retry"
      return Math.max(1, Math.ceil((recent[0]! + limit.windowMs - at) / 1000));
    }
    recent.push(at);
    windows.set(key, recent);
    return undefined;
  };

  const resolveChannel = (raw: string | undefined): string | undefined => {
    if (!raw) return undefined;
    if (channels.has(raw) || [...directMessages.values()].includes(raw)) return raw;
    // "Can be an encoded ID, or a name."
    const name = raw.replace(/^#/, "");
    return [...channels.values()].find((channel) => channel.name === name)?.id;
  };

  const methods: Record<string, (args: Arguments) => SlackAnswer> = {
    "auth.test": () =>
      ok({
        url: `https://${teamId.toLowerCase()}.slack.com/`,
        team: "Emulated workspace",
        user: "idc-sync",
        team_id: teamId,
        user_id: botUserId,
        bot_id: "B0EMULATOR",
        is_enterprise_install: false,
      }),

    "chat.postMessage": (args) => {
      const channel = resolveChannel(args.channel);
      if (!channel) return fail("channel_not_found");
      const content = messageContent(args);
      if ("error" in content) return content.error;
      let threadTs: string | undefined;
      if (args.thread_ts) {
        // "Provide another message's ts value to make this message a reply. Avoid using a reply's ts value;
        // use its parent instead." A ts that is not a top-level message of the channel is refused here
        // (stricter than whatever Slack does with it).
        const parent = messages.find((m) => m.channel === channel && m.ts === args.thread_ts && !m.thread_ts);
        if (!parent) return fail("thread_not_found");
        threadTs = parent.ts;
      }
      const record: SlackMessageRecord = {
        channel,
        ts: nextTs(),
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...content.fields,
        edits: 0,
      };
      messages.push(record);
      return ok({ channel, ts: record.ts, message: messageObject(record, botUserId) });
    },

    "chat.update": (args) => {
      const channel = resolveChannel(args.channel);
      if (!channel) return fail("channel_not_found");
      if (!args.ts) return fail("invalid_arguments");
      const record = messages.find((m) => m.channel === channel && m.ts === args.ts);
      if (!record) return fail("message_not_found");
      const content = messageContent(args);
      if ("error" in content) return content.error;
      record.text = content.fields.text;
      record.blocks = content.fields.blocks;
      if (content.fields.text === undefined) delete record.text;
      if (content.fields.blocks === undefined) delete record.blocks;
      record.edits += 1;
      return ok({
        channel,
        ts: record.ts,
        text: record.text ?? "",
        message: messageObject(record, botUserId),
      });
    },

    "users.lookupByEmail": (args) => {
      if (!args.email) return fail("invalid_arguments");
      const user = users.find((candidate) => candidate.email.toLowerCase() === args.email!.toLowerCase());
      // "users_not_found: Value passed for user was invalid." (users.lookupByEmail errors)
      if (!user || user.deleted) return fail("users_not_found");
      return ok({
        user: {
          id: user.id,
          team_id: teamId,
          name: user.name,
          deleted: false,
          real_name: user.realName ?? user.name,
          is_bot: false,
          profile: { email: user.email, real_name: user.realName ?? user.name, display_name: user.name },
        },
      });
    },

    "usergroups.users.list": (args) => {
      // "usergroup: The encoded ID of the User Group" (required); "include_disabled: Allow results that
      // involve disabled User Groups." Answer: { ok, users: ["U060R4BJ4", ...] } (method page example).
      if (!args.usergroup) return fail("invalid_arguments");
      const group = usergroups.find((candidate) => candidate.id === args.usergroup);
      // "no_such_subteam: The user group could not be found" (method errors); a disabled group without
      // include_disabled is answered the same way here (stricter than the page, which says nothing).
      if (!group || (group.disabled && !["true", "1"].includes(args.include_disabled ?? ""))) {
        return fail("no_such_subteam");
      }
      return ok({ users: [...group.users] });
    },

    "conversations.open": (args) => {
      const ids = (args.users ?? "").split(",").filter(Boolean);
      if (ids.length === 0) return fail("users_list_not_supplied");
      // "users: Comma separated lists of users. If only one user is included, this creates a 1:1 DM."
      // Group DMs are outside what idc-sync needs; the emulator opens 1:1 DMs only.
      if (ids.length > 1) return fail("not_implemented_in_emulator");
      const user = users.find((candidate) => candidate.id === ids[0]);
      if (!user || user.deleted) return fail("user_not_found");
      const existing = directMessages.get(user.id);
      const id = existing ?? `D${user.id.slice(1).padEnd(9, "0").slice(0, 9)}`;
      directMessages.set(user.id, id);
      return ok({
        ...(existing ? { no_op: true, already_open: true } : {}),
        channel: { id, ...(args.return_im === "true" ? { is_im: true, user: user.id } : {}) },
      });
    },
  };

  const answer = (method: string, token: string | undefined, args: Arguments): SlackAnswer => {
    const counter = calls.get(method) ?? { total: 0, rateLimited: 0 };
    counter.total += 1;
    calls.set(method, counter);
    // "not_authed: No authentication token provided." / "invalid_auth: Some aspect of authentication cannot
    // be validated." Both answered HTTP 200 with ok:false, like every Web API error but rate limiting.
    if (!token) return fail("not_authed");
    if (!tokens.has(token)) return fail("invalid_auth");
    const handler = methods[method];
    if (!handler) return fail("unknown_method");
    const retryAfter = rateLimited(method, token, args);
    if (retryAfter !== undefined) {
      counter.rateLimited += 1;
      // "you'll receive an HTTP 429 Too Many Requests error, and a Retry-After HTTP header"
      return {
        status: 429,
        body: { ok: false, error: "ratelimited" },
        headers: { "retry-after": String(retryAfter) },
      };
    }
    return handler(args);
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://slack");
      const method = url.pathname.replace(/^\/api\//, "");
      let args: Arguments;
      try {
        args = parseArguments(request.headers["content-type"], Buffer.concat(chunks).toString("utf8"), url);
      } catch {
        return send(response, fail("invalid_form_data"));
      }
      // "Tokens should be passed as an HTTP Authorization header or alternatively, as a POST parameter."
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
      send(response, answer(method, bearer ?? args.token, args));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    slackApiUrl: `http://127.0.0.1:${port}/api/`,
    token: [...tokens][0]!,
    messages: (channel) => messages.filter((message) => message.channel === channel).map((m) => ({ ...m })),
    thread: (channel, ts) =>
      messages
        .filter((message) => message.channel === channel && message.thread_ts === ts)
        .map((m) => ({ ...m })),
    directMessageChannel: (userId) => directMessages.get(userId),
    calls: (method) => ({ ...(calls.get(method) ?? { total: 0, rateLimited: 0 }) }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ─── Message content and Block Kit limits ──────────────────────────────────────────────────────────

function messageContent(
  args: Arguments,
): { fields: { text?: string; blocks?: unknown[] } } | { error: SlackAnswer } {
  const text = args.text;
  let blocks: unknown[] | undefined;
  if (args.blocks !== undefined && args.blocks !== "") {
    try {
      const parsed: unknown = JSON.parse(args.blocks);
      if (!Array.isArray(parsed)) return { error: fail("invalid_blocks_format") };
      blocks = parsed;
    } catch {
      return { error: fail("invalid_blocks_format") };
    }
  }
  // "no_text: No message text provided" when neither text nor blocks (nor attachments) are given.
  if ((text === undefined || text === "") && (!blocks || blocks.length === 0) && !args.attachments) {
    return { error: fail("no_text") };
  }
  // "msg_too_long: Message text is too long"
  if (text !== undefined && [...text].length > messageLimits.textCharacters)
    return { error: fail("msg_too_long") };
  if (blocks) {
    const problems = blockProblems(blocks);
    if (problems.length > 0) {
      // invalid_blocks comes with the reasons in response_metadata.messages, e.g.
      // "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]".
      return {
        error: {
          status: 200,
          body: {
            ok: false,
            error: "invalid_blocks",
            errors: problems,
            response_metadata: { messages: problems },
          },
        },
      };
    }
  }
  return { fields: { ...(text !== undefined ? { text } : {}), ...(blocks ? { blocks } : {}) } };
}

/** Every Block Kit limit a message breaks, as Slack words them. */
export function blockProblems(blocks: unknown[]): string[] {
  const problems: string[] = [];
  const tooLong = (value: unknown, max: number, pointer: string): void => {
    if (typeof value === "string" && [...value].length > max) {
      problems.push(`[ERROR] must be less than ${max + 1} characters [json-pointer:${pointer}]`);
    }
  };
  if (blocks.length > messageLimits.blocks) {
    problems.push(`[ERROR] no more than ${messageLimits.blocks} items allowed [json-pointer:/blocks]`);
  }
  const blockIds = new Set<string>();
  blocks.forEach((raw, index) => {
    const at = `/blocks/${index}`;
    if (typeof raw !== "object" || raw === null) {
      problems.push(`[ERROR] must be an object [json-pointer:${at}]`);
      return;
    }
    const block = raw as Record<string, unknown>;
    if (typeof block.block_id === "string") {
      tooLong(block.block_id, messageLimits.identifier, `${at}/block_id`);
      if (blockIds.has(block.block_id))
        problems.push(`[ERROR] duplicate block_id [json-pointer:${at}/block_id]`);
      blockIds.add(block.block_id);
    }
    const text = (block.text as { text?: unknown } | undefined)?.text;
    switch (block.type) {
      case "section": {
        tooLong(text, messageLimits.sectionText, `${at}/text/text`);
        const fields = Array.isArray(block.fields) ? block.fields : [];
        if (fields.length > messageLimits.sectionFields) {
          problems.push(
            `[ERROR] no more than ${messageLimits.sectionFields} items allowed [json-pointer:${at}/fields]`,
          );
        }
        fields.forEach((field, fieldIndex) => {
          const fieldText = (field as { text?: unknown }).text;
          tooLong(fieldText, messageLimits.sectionFieldText, `${at}/fields/${fieldIndex}/text`);
        });
        if (text === undefined && fields.length === 0)
          problems.push(`[ERROR] missing required field: text [json-pointer:${at}]`);
        break;
      }
      case "header":
        if ((block.text as { type?: unknown } | undefined)?.type !== "plain_text") {
          problems.push(`[ERROR] must be a plain_text object [json-pointer:${at}/text]`);
        }
        tooLong(text, messageLimits.headerText, `${at}/text/text`);
        break;
      case "context": {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > messageLimits.contextElements) {
          problems.push(
            `[ERROR] must have 1 to ${messageLimits.contextElements} items [json-pointer:${at}/elements]`,
          );
        }
        break;
      }
      case "actions": {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > messageLimits.actionsElements) {
          problems.push(
            `[ERROR] must have 1 to ${messageLimits.actionsElements} items [json-pointer:${at}/elements]`,
          );
        }
        elements.forEach((rawElement, elementIndex) => {
          const element = rawElement as Record<string, unknown>;
          const pointer = `${at}/elements/${elementIndex}`;
          tooLong(element.action_id, messageLimits.identifier, `${pointer}/action_id`);
          if (element.type === "button") {
            tooLong(
              (element.text as { text?: unknown } | undefined)?.text,
              messageLimits.buttonText,
              `${pointer}/text/text`,
            );
            tooLong(element.value, messageLimits.buttonValue, `${pointer}/value`);
          }
        });
        break;
      }
      case "divider":
      case "image":
      case "rich_text":
      case "markdown":
        break;
      default:
        problems.push(`[ERROR] unsupported type: ${String(block.type)} [json-pointer:${at}/type]`);
    }
  });
  return problems;
}

// ─── Wire ──────────────────────────────────────────────────────────────────────────────────────────

/** Methods take "application/x-www-form-urlencoded" or "application/json" bodies (method pages). */
function parseArguments(contentType: string | undefined, body: string, url: URL): Arguments {
  const args: Arguments = Object.fromEntries(url.searchParams);
  if (!body) return args;
  if (contentType?.startsWith("application/json")) {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    for (const [key, value] of Object.entries(parsed)) {
      args[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return args;
  }
  for (const [key, value] of new URLSearchParams(body)) args[key] = value;
  return args;
}

function messageObject(record: SlackMessageRecord, botUserId: string): Record<string, unknown> {
  return {
    type: "message",
    subtype: "bot_message",
    user: botUserId,
    bot_id: "B0EMULATOR",
    ts: record.ts,
    ...(record.thread_ts ? { thread_ts: record.thread_ts } : {}),
    ...(record.text !== undefined ? { text: record.text } : { text: "" }),
    ...(record.blocks ? { blocks: record.blocks } : {}),
  };
}

function ok(body: Record<string, unknown>): SlackAnswer {
  return { status: 200, body: { ok: true, ...body } };
}

function fail(error: string): SlackAnswer {
  return { status: 200, body: { ok: false, error } };
}

function send(response: ServerResponse, answer: SlackAnswer): void {
  const text = JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...answer.headers,
  });
  response.end(text);
}
