/**
 * The deny that ends a leaver's sessions, as policy text: AWS's own revocation statement (an explicit
 * Deny of every action, conditioned on the person's Identity Store user id), one statement per expiry,
 * the expiry written in the statement's Sid. Because the expiry lives in the policy itself, a run that
 * lost its state still finds every entry and knows when it ends (issue #20).
 *
 * Sources:
 * - https://docs.aws.amazon.com/singlesignon/latest/userguide/prereqs-revoking-user-permissions.html:
 *   the deny policy with `"StringEquals": { "identitystore:userId": ... }`; `identitystore:userId` is
 *   preferred because `aws:userId` "might change if the user's user name or email address changes".
 * - IAM `Sid`: "supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)"
 *   (reference_policies_elements_sid.html), so the expiry is written as digits.
 */
import { canonicalJson } from "../canonical-json.js";
import { compareStrings } from "../keys.js";

/** Marks idc-sync's deny statements; the expiry follows ("IdcSyncRevokeUntil202612030410"). */
export const denySidPrefix = "IdcSyncRevokeUntil";

/** The condition key AWS recommends for the deny (see the header). */
export const userIdConditionKey = "identitystore:userId";

/** One person's deny: their Identity Store user id, until when (ISO-8601 to the minute, UTC). */
export interface DenyEntry {
  userId: string;
  /** "2026-12-03T04:10Z". */
  until: string;
}

type Statement = Record<string, unknown>;

/** "2026-12-03T04:10Z": the instant rounded up to the next whole minute, so a deny never ends early. */
export function untilText(instantMs: number): string {
  const minute = 60_000;
  const rounded = new Date(Math.ceil(instantMs / minute) * minute);
  return `${rounded.toISOString().slice(0, 16)}Z`;
}

/** The instant an expiry names, in milliseconds; NaN when it is not one. */
export function untilMs(until: string): number {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/.test(until)
    ? Date.parse(`${until.slice(0, 16)}:00Z`)
    : Number.NaN;
}

/** "IdcSyncRevokeUntil202612030410". */
export function sidFor(until: string): string {
  return `${denySidPrefix}${until.replace(/[-T:Z]/g, "")}`;
}

/** The expiry a Sid of ours names, or undefined for any other Sid. */
export function untilOfSid(sid: unknown): string | undefined {
  if (typeof sid !== "string" || !sid.startsWith(denySidPrefix)) return undefined;
  const digits = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(sid.slice(denySidPrefix.length));
  if (!digits) return undefined;
  const [, year, month, day, hour, minute] = digits;
  const until = `${year}-${month}-${day}T${hour}:${minute}Z`;
  return Number.isNaN(untilMs(until)) ? undefined : until;
}

/** The deny statements for these entries: one per expiry, in expiry order, user ids sorted. */
export function denyStatements(entries: readonly DenyEntry[]): Statement[] {
  const byUntil = new Map<string, Set<string>>();
  for (const entry of entries) {
    const ids = byUntil.get(entry.until) ?? new Set<string>();
    ids.add(entry.userId);
    byUntil.set(entry.until, ids);
  }
  return [...byUntil.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([until, ids]) => ({
      Sid: sidFor(until),
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { StringEquals: { [userIdConditionKey]: [...ids].sort(compareStrings) } },
    }));
}

/**
 * A service control policy holding these entries, minified: AWS stores an SCP "exactly as you provided"
 * when it comes through the API, so every byte of white space would count against the size limit
 * (orgs_reference_limits.html).
 */
export function scpContent(entries: readonly DenyEntry[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: denyStatements(entries) });
}

/** Bytes a stored policy takes: UTF-8, the stricter reading where a quota says "characters". */
export function storedSize(text: string): number {
  return utf8.encode(text).length;
}

const utf8 = new TextEncoder();

/**
 * The deny entries a policy document holds (statements with our Sid), and its other statements. A
 * statement of ours that does not parse as one (edited by hand) yields no entry and is dropped: it is
 * idc-sync's to rewrite.
 */
export function readDenies(document: unknown): { entries: DenyEntry[]; others: unknown[] } {
  const statements = statementsOf(document);
  const entries: DenyEntry[] = [];
  const others: unknown[] = [];
  for (const statement of statements) {
    const sid = isRecord(statement) ? statement.Sid : undefined;
    if (typeof sid === "string" && sid.startsWith(denySidPrefix)) {
      const until = untilOfSid(sid);
      if (until !== undefined) for (const userId of userIdsOf(statement)) entries.push({ userId, until });
      continue;
    }
    others.push(statement);
  }
  return { entries, others };
}

/** The deny entries of a policy given as text; none when it is not JSON. */
export function readDenyText(text: string | undefined): DenyEntry[] {
  if (text === undefined || text.trim() === "") return [];
  try {
    return readDenies(JSON.parse(text)).entries;
  } catch {
    return [];
  }
}

/**
 * A permission set's inline policy with these denies merged into what the rules manage: the rules'
 * statements first, ours after, canonical JSON (as the planner compares inline policies). No entries:
 * the rules' policy unchanged.
 */
export function withDenies(
  rulesPolicy: string | undefined,
  entries: readonly DenyEntry[],
): string | undefined {
  if (entries.length === 0) return rulesPolicy;
  const base = rulesPolicy === undefined ? undefined : parseObject(rulesPolicy);
  return canonicalJson({
    ...(base ?? {}),
    Version: typeof base?.Version === "string" ? base.Version : "2012-10-17",
    Statement: [...statementsOf(base), ...denyStatements(entries)],
  });
}

/**
 * A permission set's inline policy as Identity Center holds it, split into what the rules manage and
 * idc-sync's denies. When the rest is the rules' policy (it may only differ in `Statement` having been
 * a single object before denies were merged in), the rules' own text is returned, so the planner sees
 * no change there.
 */
export function withoutDenies(
  actualPolicy: string | undefined,
  rulesPolicy: string | undefined,
): { policy: string | undefined; entries: DenyEntry[] } {
  if (actualPolicy === undefined) return { policy: undefined, entries: [] };
  const document = parseObject(actualPolicy);
  if (document === undefined) return { policy: actualPolicy, entries: [] };
  const { entries, others } = readDenies(document);
  if (others.length === statementsOf(document).length) return { policy: actualPolicy, entries };
  const rest = others.length === 0 ? undefined : canonicalJson({ ...document, Statement: others });
  if (rest === undefined) return { policy: undefined, entries };
  const rules = rulesPolicy === undefined ? undefined : parseObject(rulesPolicy);
  const same =
    rules !== undefined &&
    canonicalJson({ ...rules, Statement: statementsOf(rules) }) === rest &&
    rulesPolicy !== undefined;
  return { policy: same ? rulesPolicy : rest, entries };
}

function statementsOf(document: unknown): unknown[] {
  if (!isRecord(document)) return [];
  const statement = document.Statement;
  if (statement === undefined) return [];
  return Array.isArray(statement) ? statement : [statement];
}

function userIdsOf(statement: unknown): string[] {
  if (!isRecord(statement) || statement.Effect !== "Deny") return [];
  const condition = isRecord(statement.Condition) ? statement.Condition.StringEquals : undefined;
  if (!isRecord(condition)) return [];
  // Condition keys are case-insensitive in IAM; AWS's pages spell this one userId and UserId.
  const key = Object.keys(condition).find((name) => name.toLowerCase() === userIdConditionKey.toLowerCase());
  const value = key === undefined ? undefined : condition[key];
  const ids = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
  return ids.filter((id): id is string => typeof id === "string" && id !== "");
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
