/**
 * Notices as Slack Block Kit messages (incoming webhooks). Pure: a notice in, `{ text, blocks }` out.
 * `text` is the one-line fallback Slack shows in notifications; the blocks carry what happened, the
 * counts, the changes with their reasons (capped, "and N more"), the run id and the link to its logs.
 */
import type { AuditSummaryLine, DriftItem, Notice, NoticeRun } from "../sync/notices.js";
import type { PlanSummary } from "../sync/summary.js";

export type SlackTextObject = { type: "mrkdwn" | "plain_text"; text: string };
export type SlackBlock =
  | { type: "header"; text: { type: "plain_text"; text: string } }
  | { type: "section"; text: SlackTextObject }
  | { type: "context"; elements: SlackTextObject[] }
  | { type: "divider" };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** How many changes a message lists before "… and N more". */
export const listedItemsLimit = 10;
/** Slack's limits: header text 150 characters, section text 3,000. */
const headerLimit = 150;
const sectionLimit = 3000;

const causeLabels = {
  drift: "drift",
  joiner: "joiner",
  mover: "mover",
  leaver: "leaver",
  rules: "rules change",
} as const;

/** Renders one notice as a Block Kit message. */
export function slackMessageFor(notice: Notice): SlackMessage {
  switch (notice.kind) {
    case "drift": {
      const reverted = notice.items.filter((item) => item.status === "reverted").length;
      const title = `Drift: ${count(notice.items.length, "change")} made outside idc-sync`;
      const done =
        reverted === notice.items.length
          ? "idc-sync undid it (enforce mode)."
          : notice.run.mode === "report"
            ? "Nothing was changed (report mode): fix it in the console, or run an apply to undo it."
            : `idc-sync undid ${reverted} of them; the rest are still there (see the run's log).`;
      return message(`:rotating_light: ${title}`, notice.run, [
        `Identity Center was changed outside idc-sync, and the rules did not change. ${done}`,
        driftList(notice.items),
      ]);
    }
    case "driftReminder":
      return message(`:hourglass: Drift still open: ${count(notice.items.length, "change")}`, notice.run, [
        "These differences made outside idc-sync are still in Identity Center.",
        driftList(notice.items, true),
      ]);
    case "driftResolved":
      return message(
        `:white_check_mark: Drift resolved: ${count(notice.items.length, "change")}`,
        notice.run,
        [
          "Identity Center matches the rules again for:",
          bulletList(
            notice.items.map(
              (item) =>
                `${code(item.summary)} ${item.resolvedBy === "idc-sync" ? "_undone by idc-sync_" : "_fixed outside idc-sync_"}`,
            ),
          ),
        ],
      );
    case "failure": {
      const title =
        notice.problem === "invalid"
          ? "idc-sync run failed: the rules have problems"
          : notice.problem === "changesFailed"
            ? "idc-sync run failed: some changes did not apply"
            : "idc-sync run failed";
      const streak = notice.failedRuns > 1 ? `\n_${notice.failedRuns} failing runs in a row._` : "";
      return message(`:x: ${title}`, notice.run, [
        `${escapeMrkdwn(notice.message)}${streak}`,
        ...(notice.details.length > 0 ? [bulletList(notice.details.map(escapeMrkdwn))] : []),
      ]);
    }
    case "blocked": {
      const removals = Math.max(...notice.violations.map((violation) => violation.removals), 0);
      const canOverride = notice.violations.every((violation) => violation.guard === "maxDeletions");
      const how = canOverride
        ? `To let it through after reviewing the plan, run \`idc-sync apply --allow-deletions ${removals}\`, or invoke the function with \`{"mode":"apply","allowDeletions":${removals}}\`.`
        : "An empty directory read is never trusted, even with an override: check the Google credentials, the domains and the customer id, then run again.";
      return message(":octagonal_sign: idc-sync stopped by a safety guard: nothing was changed", notice.run, [
        notice.violations.map((violation) => escapeMrkdwn(violation.message)).join("\n"),
        `*Plan:* ${planCounts(notice.plan)}`,
        how,
      ]);
    }
    case "recovered":
      return message(":white_check_mark: idc-sync recovered", notice.run, [
        `Runs succeed again after ${count(notice.failedRuns, "failing run")} since ${notice.failingSince}.`,
      ]);
    case "changes": {
      const total = notice.changes.length;
      return message(`:arrows_counterclockwise: idc-sync applied ${count(total, "change")}`, notice.run, [
        `*Plan:* ${planCounts(notice.plan)}`,
        bulletList(
          notice.changes.map(
            (line) =>
              `${code(line.summary)}${line.cause ? ` _${causeLabels[line.cause]}_` : ""}\n      ${escapeMrkdwn(line.reason)}`,
          ),
        ),
      ]);
    }
    case "externallyProvisioned":
      return message(
        `:information_source: ${count(notice.users.length, "user")} created by another provisioner`,
        notice.run,
        [
          `These Identity Center users were created by another provisioner (SCIM: Google's own AWS app, Okta, ...): they carry ExternalIds, which only a SCIM provisioner sets. idc-sync leaves them alone (no change, no deletion), so the two do not undo each other every run. To let idc-sync manage them, set \`users.externallyProvisioned: manage\` in the rules; to keep the other provisioner, stop managing these people in idc-sync. This is said once; ${count(notice.total, "such user")} now.`,
          bulletList(notice.users.map((userName) => code(userName))),
        ],
      );
    case "auditSummary":
      return auditSummaryMessage(notice);
  }
}

/** The IAM user inventory: counts, the users to act on first, the accounts not audited. */
function auditSummaryMessage(notice: Extract<Notice, { kind: "auditSummary" }>): SlackMessage {
  const { counts } = notice;
  const title = `IAM user inventory: ${count(counts.users, "user")} in ${count(counts.accountsRead, "account")}`;
  const notAudited =
    counts.accountsUnreachable > 0 ? `, ${count(counts.accountsUnreachable, "account")} not audited` : "";
  const totals = [
    `*${count(counts.leavers, "leaver")}*`,
    `${counts.unused} unused (${counts.safeToRetire} safe to retire)`,
    `${counts.people} ${counts.people === 1 ? "person" : "people"}`,
    count(counts.systems, "system"),
    `${counts.unknown} unknown`,
  ].join(" · ");
  const findings =
    notice.topFindings.length === 0
      ? "No leavers and no user safe to retire."
      : [
          "*Act on these first* (leavers, then users safe to retire):",
          ...notice.topFindings.map((line) => `• ${auditLine(line)}`),
          ...(notice.moreFindings > 0 ? [`… and ${notice.moreFindings} more`] : []),
        ].join("\n");
  const unreachable =
    notice.unreachable.length === 0
      ? ""
      : `*Not audited* (${count(notice.unreachable.length, "account")}):\n${bulletList(
          notice.unreachable.map(
            (account) =>
              `${escapeMrkdwn(accountLabel(account.id, account.name))}: ${escapeMrkdwn(account.reason)}`,
          ),
        )}`;
  const cloudTrail =
    notice.cloudTrailDays === undefined
      ? "CloudTrail not searched: no user is safe to retire without `--cloudtrail`"
      : `CloudTrail searched over ${notice.cloudTrailDays} days`;
  return {
    text: `:mag: ${title}: ${count(counts.leavers, "leaver")}, ${counts.safeToRetire} safe to retire${notAudited}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: truncate(title, headerLimit) } },
      ...[totals, findings, unreachable]
        .filter((text) => text !== "")
        .map(
          (text): SlackBlock => ({
            type: "section",
            text: { type: "mrkdwn", text: truncate(text, sectionLimit) },
          }),
        ),
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: [
              `Generated ${notice.generatedAt}`,
              `stale after ${notice.staleDays} days`,
              cloudTrail,
            ].join(" · "),
          },
        ],
      },
    ],
  };
}

function auditLine(line: AuditSummaryLine): string {
  const labels = [line.leaver ? "_leaver_" : undefined, line.safeToRetire ? "_safe to retire_" : undefined]
    .filter((label) => label !== undefined)
    .join(" ");
  return `${code(line.userName)} in ${escapeMrkdwn(accountLabel(line.accountId, line.accountName))} ${labels}: ${escapeMrkdwn(line.detail)}`;
}

function accountLabel(id: string, name: string): string {
  return name === id ? id : `${name} (${id})`;
}

function message(title: string, run: NoticeRun, sections: string[]): SlackMessage {
  const header = truncate(title.replace(/^:[a-z_]+: /, ""), headerLimit);
  return {
    text: `${title} (run ${run.runId})`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: header } },
      ...sections
        .filter((text) => text !== "")
        .map(
          (text): SlackBlock => ({
            type: "section",
            text: { type: "mrkdwn", text: truncate(text, sectionLimit) },
          }),
        ),
      { type: "context", elements: [{ type: "mrkdwn", text: runLine(run) }] },
    ],
  };
}

function runLine(run: NoticeRun): string {
  const parts = [
    `Run \`${escapeMrkdwn(run.runId)}\``,
    `${run.mode} mode`,
    run.trigger === "schedule" ? "scheduled" : run.trigger === "manual" ? "manual invoke" : "CLI",
    run.at,
  ];
  if (run.logUrl) parts.push(`<${run.logUrl}|CloudWatch logs>`);
  return parts.join(" · ");
}

function driftList(items: DriftItem[], withAge = false): string {
  return bulletList(
    items.map((item) => {
      const state = item.status === "reverted" ? " _undone_" : " _still there_";
      const age = withAge ? ` (first seen ${item.firstSeenAt})` : "";
      return `${code(item.summary)}${state}${age}\n      ${escapeMrkdwn(item.reason)}`;
    }),
  );
}

/** Bullets, at most `listedItemsLimit`, then "… and N more". */
function bulletList(lines: string[]): string {
  const shown = lines.slice(0, listedItemsLimit).map((line) => `• ${line}`);
  if (lines.length > listedItemsLimit) shown.push(`… and ${lines.length - listedItemsLimit} more`);
  return shown.join("\n");
}

function planCounts(plan: PlanSummary): string {
  return `${plan.add} to add, ${plan.change} to change, ${plan.remove} to remove`;
}

function code(text: string): string {
  return `\`${escapeMrkdwn(text).replaceAll("`", "'")}\``;
}

/** Slack mrkdwn treats &, < and > as control characters. */
function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
