/**
 * The access report as one self-contained HTML page: inline CSS and script, the data as JSON in the
 * page, and a Content-Security-Policy that forbids every fetch, so it opens from a file, an e-mail or an
 * artifact store and never touches the network.
 *
 * The page shows an account × group matrix with permission sets in the cells, filters by person,
 * account, permission set and status, a people list and a details panel (what `explain` says). Both the
 * matrix and the people list are virtualised: only the rows and columns in view exist in the DOM, so a
 * 50,000-person organisation opens as fast as a small one. The data is normalised (indexes, and each
 * distinct list of selector sources once) to keep the file small.
 */
import { PrincipalType } from "../sync/model.js";
import { accessClientScript } from "./html/client-script.js";
import { accessReportStyle } from "./html/style.js";
import type { AccessReport, AccessStatus } from "./model.js";
import { summarizeAccess } from "./paths.js";
import {
  accountLabel,
  describeSelector,
  membershipWords,
  ruleWithLine,
  standingWords,
  statusLabels,
  statusWords,
} from "./words.js";

/** Statuses in the order the page encodes them (index in `AccessHtmlData.statuses`). */
const statuses: AccessStatus[] = ["granted", "pending", "unexplained", "unmanaged"];

/**
 * What the page's script reads. Rows are arrays, not objects, to keep 50,000 people in a few megabytes.
 * Exported for tests that check the page's data against the report.
 */
export interface AccessHtmlData {
  rulesFile: string;
  summary: ReturnType<typeof summarizeAccess>;
  statuses: AccessStatus[];
  statusLabels: Record<AccessStatus, string>;
  statusWords: Record<AccessStatus, string>;
  membershipWords: Record<AccessStatus, string>;
  standingWords: Record<string, string>;
  /** [id, name, "name (id)", status] */
  accounts: [string, string, string, string][];
  permissionSets: string[];
  /** [key, displayName, aliases joined by ", ", origin, orgUnitPath, department, standing code, IC userName] */
  people: [string, string, string, string, string, string, string, string][];
  /** [type "G"|"U", name, management, "rule (file:line)", description, members known 0|1, person index or -1] */
  principals: [string, string, string, string, string, number, number][];
  /** Flat: principal, account, permission set, status, source set (-1 none); five numbers a grant. */
  grants: number[];
  /** Flat: group, person, status, source set (-1 none); four numbers a membership. */
  memberships: number[];
  /** Distinct lists of selector sources: each ["rule (file:line)", "what it selects"]. */
  memberSourceSets: [string, string][][];
  /** Distinct lists of assignment sources: each ["rule (file:line)", "account reference"]. */
  grantSourceSets: [string, string][][];
}

/** The page's data, from the report. */
export function accessHtmlData(report: AccessReport): AccessHtmlData {
  const statusIndex = new Map(statuses.map((status, index) => [status, index]));
  const memberSets = new Interner<[string, string][]>();
  const grantSets = new Interner<[string, string][]>();
  const grants: number[] = [];
  for (const grant of report.grants) {
    const sources = grant.sources.map((source): [string, string] => [
      ruleWithLine(report, source.rule),
      source.accounts,
    ]);
    grants.push(
      grant.principal,
      grant.account,
      grant.permissionSet,
      statusIndex.get(grant.status)!,
      sources.length === 0 ? -1 : grantSets.index(sources),
    );
  }
  const memberships: number[] = [];
  // Members selected by the same selectors share one list object only sometimes; interning by content
  // makes 90,000 memberships refer to a few hundred lists.
  const byIdentity = new Map<object, number>();
  for (const membership of report.memberships) {
    let set = byIdentity.get(membership.sources);
    if (set === undefined) {
      set =
        membership.sources.length === 0
          ? -1
          : memberSets.index(
              membership.sources.map((source): [string, string] => [
                ruleWithLine(report, source.rule),
                describeSelector(source),
              ]),
            );
      byIdentity.set(membership.sources, set);
    }
    memberships.push(membership.group, membership.person, statusIndex.get(membership.status)!, set);
  }
  return {
    rulesFile: report.rulesFile,
    summary: summarizeAccess(report),
    statuses,
    statusLabels,
    statusWords,
    membershipWords,
    standingWords: Object.fromEntries(
      report.people.map((person) => [standingKey(person.standing), standingWords(person.standing)]),
    ),
    accounts: report.accounts.map((account) => [
      account.id,
      account.name,
      accountLabel(account),
      account.status,
    ]),
    permissionSets: report.permissionSets,
    people: report.people.map((person) => [
      person.key,
      person.displayName,
      person.aliases.join(", "),
      person.origin,
      person.orgUnitPath ?? "",
      person.department ?? "",
      standingKey(person.standing),
      person.identityCenterUserName ?? "",
    ]),
    principals: report.principals.map((principal) => [
      principal.type === PrincipalType.group ? "G" : "U",
      principal.name,
      principal.management,
      principal.rule === undefined ? "" : ruleWithLine(report, principal.rule),
      principal.description ?? "",
      principal.membersKnown ? 1 : 0,
      principal.person ?? -1,
    ]),
    grants,
    memberships,
    memberSourceSets: memberSets.values,
    grantSourceSets: grantSets.values,
  };
}

/** The whole page. */
export function renderAccessHtml(report: AccessReport): string {
  const data = accessHtmlData(report);
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    // No network, ever: every resource is inline, and the policy refuses anything else.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Access report · ${escapeHtml(report.rulesFile)}</title>`,
    `<style>${accessReportStyle}</style>`,
    "</head>",
    "<body>",
    pageSkeleton(report),
    `<script type="application/json" id="access-data">${jsonForScript(data)}</script>`,
    `<script>${accessClientScript}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function pageSkeleton(report: AccessReport): string {
  const legend = statuses
    .map(
      (status) =>
        `<span class="chip s-${status}" title="${escapeHtml(statusWords[status])}">${escapeHtml(statusLabels[status])}</span>`,
    )
    .join(" ");
  return `<header>
  <h1>Access report</h1>
  <p class="meta">Rules <code>${escapeHtml(report.rulesFile)}</code> · <span id="summary"></span></p>
  <p class="legend">${legend}</p>
</header>
<form id="filters" class="filters" autocomplete="off">
  <label>Person <input id="filter-person" type="search" placeholder="email or name"></label>
  <label>Account <select id="filter-account"><option value="">all accounts</option></select></label>
  <label>Permission set <select id="filter-permission-set"><option value="">all permission sets</option></select></label>
  <label>Status <select id="filter-status">
    <option value="">any status</option>
    <option value="attention">not granted by the rules, or not yet applied</option>
  </select></label>
  <button type="reset" id="filter-reset">Clear</button>
  <span id="filter-count" class="count"></span>
</form>
<main>
  <section class="left">
    <h2>Accounts × groups <small id="matrix-size"></small></h2>
    <div id="matrix" class="matrix" role="grid" aria-label="accounts by groups">
      <div class="corner">group \\ account</div>
      <div class="colhead"><div class="colhead-inner" id="matrix-cols"></div></div>
      <div class="rowhead"><div class="rowhead-inner" id="matrix-rows"></div></div>
      <div class="body" id="matrix-body"><div class="body-inner" id="matrix-cells"></div></div>
    </div>
    <p id="matrix-empty" class="empty" hidden>No access matches the filters.</p>
    <h2>People <small id="people-size"></small></h2>
    <div id="people" class="people" role="list"><div class="people-inner" id="people-rows"></div></div>
  </section>
  <aside id="details" class="details" aria-live="polite">
    <p class="hint">Click a cell, a group or a person to see who reaches what, and why.</p>
  </aside>
</main>
<noscript><p>This report needs JavaScript to draw the matrix; the data is in the page as JSON.</p></noscript>`;
}

function standingKey(standing: AccessReport["people"][number]["standing"]): string {
  return standing.code === "excluded" ? `excluded:${standing.rule}` : standing.code;
}

/** JSON safe inside a `<script>` element: no `</script>` or `<!--` can end it early. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Gives equal values (by JSON) one index. */
class Interner<T> {
  readonly values: T[] = [];
  private readonly indexes = new Map<string, number>();

  index(value: T): number {
    const key = JSON.stringify(value);
    let index = this.indexes.get(key);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.indexes.set(key, index);
    }
    return index;
  }
}
