import { durationMinutes } from "../sync/durations.js";
import type { DirectoryRequest, Scope } from "../sync/model.js";
import type { RevocationSettings } from "../sync/revocation/plan-revocation.js";
import type { Rules } from "./rules.js";
import type { MaxDeletions, Selector } from "./schema.js";

const sorted = (values: Iterable<string>) =>
  [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** What idc-sync manages under these rules (DESIGN.md §2). Protected principals are listed for the plan to skip. */
export function scopeFromRules(rules: Rules): Scope {
  return {
    domains: sorted(rules.google.domains),
    staticUserNames: sorted(rules.users.static.map((user) => user.email)),
    groupNames: sorted(rules.groups.flatMap((group) => [group.name, ...group.previousNames])),
    permissionSetNames: sorted(rules.permissionSets.map((set) => set.name)),
    protectedUserNames: sorted(rules.safety.protect.users),
    protectedGroupNames: sorted(rules.safety.protect.groups),
    leavers: rules.users.leavers,
    externallyProvisioned: rules.users.externallyProvisioned,
  };
}

/** What to read from Google: the customer, the domains and every Google group a selector names. */
export function directoryRequestFromRules(rules: Rules): DirectoryRequest {
  const googleGroups = (selectors: Selector[]) =>
    selectors.flatMap((selector) => ("googleGroup" in selector ? [selector.googleGroup] : []));
  return {
    customerId: rules.google.customerId,
    domains: sorted(rules.google.domains),
    groupEmails: sorted(
      rules.groups.flatMap((group) => [...googleGroups(group.members), ...googleGroups(group.exclude)]),
    ),
  };
}

/** The deletion limit for the guards: a count, or a percentage of managed objects. */
export function safetyFromRules(rules: Rules): { maxDeletions: MaxDeletions } {
  return { maxDeletions: rules.safety.maxDeletions };
}

/** Where leavers' denies live and how long they outlast the longest session (`leavers` in the rules). */
export function revocationFromRules(rules: Rules): RevocationSettings {
  // The schema admits PT15M to PT12H only; the hour is a fallback that cannot be reached.
  return { mode: rules.leavers.revokeSessions, marginMinutes: durationMinutes(rules.leavers.margin) ?? 60 };
}

/**
 * The same request from rules that did not load, as far as they parsed: valid domains and every address
 * a selector names, so the directory can be read to check them in the same pass.
 */
export function directoryRequestFromDraft(raw: unknown): DirectoryRequest {
  const record = (value: unknown): Record<string, unknown> =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  const strings = (values: unknown[]) =>
    values
      .filter((value): value is string => typeof value === "string")
      .map((value) => value.trim().toLowerCase());
  const google = record(record(raw).google);
  const selectors = list(record(raw).groups).flatMap((group) => [
    ...list(record(group).members),
    ...list(record(group).exclude),
  ]);
  return {
    customerId:
      typeof google.customerId === "string" && google.customerId !== "" ? google.customerId : "my_customer",
    domains: sorted(
      strings(list(google.domains)).filter((domain) => /^[a-z0-9.-]+\.[a-z]{2,}$/.test(domain)),
    ),
    groupEmails: sorted(
      strings(selectors.map((selector) => record(selector).googleGroup)).filter((address) =>
        address.includes("@"),
      ),
    ),
  };
}
