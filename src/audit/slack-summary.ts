/**
 * The audit report as an `auditSummary` notice for Slack: the counts, the users to act on first
 * (leavers, then those safe to retire, ten at most) and the accounts that could not be read. Pure: the
 * report in, plain data out; `src/notify/slack-message.ts` lays it out.
 */
import type { AuditSummaryLine, Notice } from "../sync/notices.js";
import { type AuditReport, type ClassifiedUser, FindingKind, Recommendation } from "./model.js";

export type AuditSummaryNotice = Extract<Notice, { kind: "auditSummary" }>;

/** How many users the summary names before "and N more". */
export const auditSummaryLinesLimit = 10;

export function auditSlackSummary(report: AuditReport): AuditSummaryNotice {
  const leavers = report.users.filter(isLeaver);
  const safeOnly = report.users.filter((user) => !isLeaver(user) && isSafeToRetire(user));
  const lines = [...leavers, ...safeOnly].map(summaryLine);
  const unreachable = report.accounts.flatMap((account) =>
    account.status === "unreachable"
      ? [{ id: account.id, name: account.name, reason: account.reason ?? "unknown reason" }]
      : [],
  );
  return {
    kind: "auditSummary",
    generatedAt: report.generatedAt,
    staleDays: report.staleDays,
    ...(report.cloudTrailDays !== undefined ? { cloudTrailDays: report.cloudTrailDays } : {}),
    counts: {
      users: report.users.length,
      accountsRead: report.accounts.length - unreachable.length,
      accountsUnreachable: unreachable.length,
      leavers: report.totals.leavers,
      unused: report.totals.unused,
      safeToRetire: report.totals.safeToRetire,
      people: report.totals.person,
      systems: report.totals.system,
      unknown: report.totals.unknown,
    },
    topFindings: lines.slice(0, auditSummaryLinesLimit),
    moreFindings: Math.max(0, lines.length - auditSummaryLinesLimit),
    unreachable,
  };
}

function summaryLine(user: ClassifiedUser): AuditSummaryLine {
  const leaver = user.findings.find((finding) => finding.kind === FindingKind.leaver);
  return {
    accountId: user.accountId,
    accountName: user.accountName,
    userName: user.userName,
    leaver: leaver !== undefined,
    safeToRetire: isSafeToRetire(user),
    detail: leaver ? leaver.message : lastUse(user),
  };
}

function lastUse(user: ClassifiedUser): string {
  const latest = [user.lastConsoleUse, user.lastKeyUse]
    .filter((date) => date !== undefined)
    .sort()
    .at(-1);
  return latest ? `last used ${latest.slice(0, 10)}` : "never used";
}

function isLeaver(user: ClassifiedUser): boolean {
  return user.findings.some((finding) => finding.kind === FindingKind.leaver);
}

function isSafeToRetire(user: ClassifiedUser): boolean {
  return user.recommendation === Recommendation.safeToRetire;
}
