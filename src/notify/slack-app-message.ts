/**
 * Notices as Slack app messages (chat.postMessage): like the webhook messages, but large lists are
 * grouped ("480 memberships in aws-admins", the first few listed), every list fits Slack's limits with
 * an "… and N more" line that is never cut off, and a stopped plan carries its removals and Approve /
 * Reject buttons. Pure: a notice in, `{ text, blocks }` out.
 */
import type { ChangeLine, DriftItem, Notice } from "../sync/notices.js";
import { fitList, type ListEntry, shorten, slackLimits } from "./slack-limits.js";
import { type SlackMessage, slackMessageFor } from "./slack-message.js";

/** The action ids of the two buttons; the interaction endpoint answers only these. */
export const approvalActions = { approve: "idc-sync.approve", reject: "idc-sync.reject" } as const;

/** A (kind, subject) with at least this many changes is shown as one group. */
export const groupFrom = 5;
/** How many changes of a group are listed under its heading. */
export const groupSample = 3;

export interface AppMessageOptions {
  /** Offer Approve / Reject on a stopped plan (approvers are configured). */
  approvals: boolean;
}

type Block = Record<string, unknown>;

/** A chat.postMessage body: the fallback text and Block Kit blocks (buttons included). */
export interface SlackAppMessage {
  text: string;
  blocks: Block[];
}

/** Renders one notice for chat.postMessage. */
export function slackAppMessageFor(notice: Notice, options: AppMessageOptions): SlackAppMessage {
  switch (notice.kind) {
    case "drift":
    case "driftReminder":
    case "driftResolved":
      return withList(slackMessageFor(notice), driftEntries(notice.items, notice.kind === "driftReminder"));
    case "changes":
      return withList(slackMessageFor(notice), changeEntries(notice.changes));
    case "blocked":
      return blockedMessage(notice, options);
    default:
      return slackMessageFor(notice);
  }
}

/**
 * Replaces the capped bullet list of a webhook message (the section that starts with "• " or "… and")
 * by the grouped, fitted one.
 */
function withList(base: SlackMessage, entries: ListEntry[]): SlackAppMessage {
  const blocks: Block[] = base.blocks;
  const isList = (block: Block) => {
    const text = (block.text as { text?: string } | undefined)?.text ?? "";
    return block.type === "section" && (text.startsWith("• ") || text.startsWith("… and") || text === "");
  };
  const listAt = blocks.findIndex(isList);
  const kept = blocks.filter((block) => !isList(block));
  const fixedText = kept.reduce((sum, block) => sum + blockTextLength(block), 0);
  const fitted = fitList(entries, {
    maxSections: slackLimits.blocksPerMessage - kept.length,
    budget: slackLimits.blockTextBudget - fixedText,
    noun: ["change", "changes"],
  });
  const sections = fitted.sections.map((text) => section(text));
  const at = listAt < 0 ? kept.length - 1 : listAt;
  return {
    text: shorten(base.text, slackLimits.messageText),
    blocks: [...kept.slice(0, at), ...sections, ...kept.slice(at)],
  };
}

function blockedMessage(
  notice: Extract<Notice, { kind: "blocked" }>,
  options: AppMessageOptions,
): SlackAppMessage {
  const base: SlackAppMessage = slackMessageFor(notice);
  const approval = notice.approval;
  if (!approval) return base;
  const [header, ...rest] = base.blocks;
  const context = rest.pop();
  const offered = options.approvals && approval.rejected === undefined;
  const status = approval.rejected
    ? `*Rejected* by <@${approval.rejected.by}> at ${approval.rejected.at}: these removals are not applied. Change the rules or the directory, or run \`idc-sync apply --allow-deletions\`.`
    : approval.superseded
      ? `The plan changed since <@${approval.superseded.by}> approved it at ${approval.superseded.at}, so that approval does not apply: asking again.`
      : offered
        ? "Approve to let the next run apply exactly these removals (if its plan is still the same); Reject to keep them stopped."
        : "";
  const fixed: Block[] = [header as Block, ...rest, ...(status ? [section(status)] : [])];
  const actions: Block[] = offered
    ? [
        {
          type: "actions",
          block_id: "idc-sync.approval",
          elements: [
            button("Approve removals", approvalActions.approve, approval.digest, "primary"),
            button("Reject", approvalActions.reject, approval.digest, "danger"),
          ],
        },
      ]
    : [];
  const tail: Block[] = [...actions, ...(context ? [context as Block] : [])];
  const fixedText = [...fixed, ...tail].reduce((sum, block) => sum + blockTextLength(block), 0);
  const fitted = fitList(changeEntries(approval.removals), {
    maxSections: slackLimits.blocksPerMessage - fixed.length - tail.length,
    budget: slackLimits.blockTextBudget - fixedText,
    noun: ["removal", "removals"],
  });
  return {
    text: shorten(base.text, slackLimits.messageText),
    blocks: [...fixed, ...fitted.sections.map((text) => section(text)), ...tail],
  };
}

function button(text: string, actionId: string, value: string, style: "primary" | "danger"): Block {
  return {
    type: "button",
    action_id: actionId,
    text: { type: "plain_text", text: shorten(text, slackLimits.buttonText) },
    value: shorten(value, slackLimits.buttonValue),
    style,
  };
}

// ─── Grouping ──────────────────────────────────────────────────────────────────────────────────────

/** One change as listed: its key (which names what it is about) and its summary ("- membership ..."). */
export interface Line {
  key: string;
  summary: string;
  text: string;
}

function driftEntries(items: DriftItem[], withAge: boolean): ListEntry[] {
  return groupedEntries(
    items.map((item) => ({
      key: item.key,
      summary: item.summary,
      text: `${code(item.summary)}${item.status === "reverted" ? " _undone_" : " _still there_"}${withAge ? ` (first seen ${item.firstSeenAt})` : ""}`,
    })),
  );
}

function changeEntries(changes: ChangeLine[]): ListEntry[] {
  return groupedEntries(
    changes.map((change) => ({
      key: change.key,
      summary: change.summary,
      text: `${code(change.summary)}${change.reason ? `: ${escapeMrkdwn(change.reason)}` : ""}`,
    })),
  );
}

/**
 * Lines of the same kind about the same subject (memberships of one group, assignments of one
 * principal) become one entry when there are `groupFrom` or more: "*480 memberships in aws-admins*" with
 * the first `groupSample` listed. Other lines stay one entry each, in their order.
 */
export function groupedEntries(lines: Line[]): ListEntry[] {
  const groups = new Map<string, Line[]>();
  for (const line of lines) {
    const id = groupIdOf(line);
    const group = groups.get(id) ?? [];
    group.push(line);
    groups.set(id, group);
  }
  const entries: ListEntry[] = [];
  const done = new Set<string>();
  for (const line of lines) {
    const id = groupIdOf(line);
    const group = groups.get(id) ?? [line];
    if (group.length < groupFrom) {
      entries.push({ text: `• ${shorten(line.text, 300)}`, items: 1 });
      continue;
    }
    if (done.has(id)) continue;
    done.add(id);
    const subject = subjectOf(line.key);
    const marker = line.summary.split(" ")[0] ?? "";
    const noun = pluralNouns[line.key.split(":")[0] ?? ""] ?? "changes";
    const heading = `• *${escapeMrkdwn(marker)} ${group.length} ${noun}${subject ? ` ${escapeMrkdwn(subject)}` : ""}*`;
    const sample = group.slice(0, groupSample).map((member) => `      ◦ ${shorten(member.text, 300)}`);
    const rest = group.length - sample.length;
    entries.push({
      text: [heading, ...sample, ...(rest > 0 ? [`      ◦ … and ${rest} more in this group`] : [])].join(
        "\n",
      ),
      items: group.length,
    });
  }
  return entries;
}

const pluralNouns: Record<string, string> = {
  member: "memberships",
  assignment: "assignments",
  user: "users",
  group: "groups",
  permissionSet: "permission sets",
  provision: "provisionings",
};

/** Changes are grouped by what their key is about, their marker (+, -, ~) and their subject. */
function groupIdOf(line: Line): string {
  return `${line.key.split(":")[0]}|${line.summary.split(" ")[0]}|${subjectOf(line.key)}`;
}

/** What changes are grouped by: the group of a membership ("in aws-admins"), the principal of an assignment. */
function subjectOf(key: string): string {
  const parts = key.split(":");
  if (parts[0] === "member") return `in ${parts.slice(1, -1).join(":")}`;
  if (parts[0] === "assignment") return `of ${parts[2] ?? ""}`;
  return "";
}

// ─── Blocks ────────────────────────────────────────────────────────────────────────────────────────

function section(text: string): Block {
  return { type: "section", text: { type: "mrkdwn", text: shorten(text, slackLimits.sectionText) } };
}

/** Characters of text a block holds, for the message's block-text budget. */
export function blockTextLength(block: Block): number {
  let length = 0;
  const visit = (value: unknown, key?: string): void => {
    if (typeof value === "string") {
      if (key === "text" || key === "value") length += value.length;
      return;
    }
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (value !== null && typeof value === "object")
      for (const [childKey, child] of Object.entries(value)) visit(child, childKey);
  };
  visit(block);
  return length;
}

function code(text: string): string {
  return `\`${escapeMrkdwn(text).replaceAll("`", "'")}\``;
}

function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
