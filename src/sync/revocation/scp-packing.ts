/**
 * Packs leavers' denies into the service control policies idc-sync creates, within AWS Organizations'
 * quotas by construction: every document minified and under the size limit, and no more policies
 * attached to the root than the root has room for next to the SCPs others attached there. Entries stay
 * in the policy that holds them where they still fit, so a run rewrites as little as it can; new ones go
 * into the first policy with room, then into a new policy while the root has a free slot. Pure.
 */
import { compareStrings } from "../keys.js";
import type {
  CreateRevocationPolicy,
  DeleteRevocationPolicy,
  RevocationPolicyChange,
  UpdateRevocationPolicy,
} from "../model.js";
import { thousands } from "../numbers.js";
import { type DenyEntry, scpContent, storedSize } from "./deny-statements.js";

/** The Organizations quotas the packing keeps to. */
export interface ScpLimits {
  /** Largest SCP document, as stored (UTF-8 bytes; AWS says characters, equal for these documents). */
  maxDocumentSize: number;
  /** SCPs attached directly to one root, OU or account, FullAWSAccess included. */
  maxAttachedPerTarget: number;
}

/**
 * "Service control policies: 5120 characters" and at most 5 attached to a root, OU or account
 * (orgs_reference_limits.html, orgs_manage_policies.html: "SCP | No | 5 | 5120 characters"). AWS has
 * since announced 10,240 characters and 10 per target; an organization may still live under the older
 * numbers, and what fits those fits both, so these are the limits idc-sync packs to.
 */
export const documentedScpLimits: ScpLimits = { maxDocumentSize: 5_120, maxAttachedPerTarget: 5 };

/** idc-sync's policies are named this, then a number: "idc-sync-revoke-sessions-1". */
export const revocationPolicyPrefix = "idc-sync-revoke-sessions-";

/** The description every one of idc-sync's policies carries (Organizations allows 512 characters). */
export const revocationPolicyDescription =
  "Denies every action to IAM Identity Center users who left, until the sessions they held have expired. Written by idc-sync; edits are overwritten.";

/** "revocationPolicy:idc-sync-revoke-sessions-1". */
export function revocationPolicyKey(name: string): string {
  return `revocationPolicy:${name}`;
}

/** One of idc-sync's policies as Organizations holds it. */
export interface ExistingRevocationPolicy {
  id: string;
  name: string;
  content: string;
  entries: DenyEntry[];
  /** Attached directly to the root. */
  attached: boolean;
}

export interface PackInput {
  /** Every deny wanted after this run, one per user id. */
  wanted: readonly DenyEntry[];
  existing: readonly ExistingRevocationPolicy[];
  /** SCP names like idc-sync's that belong to policies it did not create. */
  foreignNames: readonly string[];
  /** SCPs attached directly to the root that are not idc-sync's (FullAWSAccess, Control Tower's, ...). */
  othersAtRoot: number;
  rootId: string;
  limits: ScpLimits;
}

export interface PackResult {
  /** The writes, in no particular order (the plan sorts them). */
  changes: RevocationPolicyChange[];
  /** User id → the policy holding their deny after the run. */
  holders: Map<string, string>;
  /** User id → why their deny found no room. */
  unstored: Map<string, string>;
}

interface Bin {
  name: string;
  existing?: ExistingRevocationPolicy;
  /** False for a detached policy of ours that the root has no slot for: it is emptied and deleted. */
  usable: boolean;
  entries: Map<string, string>;
}

/** Places every wanted deny in idc-sync's policies and says what to write. */
export function packRevocationPolicies(input: PackInput): PackResult {
  const { limits } = input;
  const wanted = new Map(input.wanted.map((entry) => [entry.userId, entry.until]));
  const existing = [...input.existing].sort(byPolicyNumber);
  let freeSlots =
    limits.maxAttachedPerTarget - input.othersAtRoot - existing.filter((policy) => policy.attached).length;

  const bins: Bin[] = existing.map((policy) => {
    const usable = policy.attached || freeSlots > 0;
    if (!policy.attached && usable) freeSlots -= 1;
    return { name: policy.name, existing: policy, usable, entries: new Map() };
  });
  const fits = (bin: Bin, entry: DenyEntry): boolean => {
    const entries = [...bin.entries].map(([userId, until]) => ({ userId, until }));
    return storedSize(scpContent([...entries, entry])) <= limits.maxDocumentSize;
  };
  const placed = new Set<string>();

  // Entries stay where they are while they fit (an extended one may no longer: it moves on).
  for (const bin of bins) {
    if (!bin.usable || bin.existing === undefined) continue;
    for (const found of [...bin.existing.entries].sort(byUntilThenId)) {
      const until = wanted.get(found.userId);
      if (until === undefined || placed.has(found.userId)) continue;
      const entry = { userId: found.userId, until };
      if (!fits(bin, entry)) continue;
      bin.entries.set(entry.userId, entry.until);
      placed.add(entry.userId);
    }
  }

  const usedNames = new Set([...existing.map((policy) => policy.name), ...input.foreignNames]);
  const unstored = new Map<string, string>();
  const pending = [...wanted]
    .filter(([userId]) => !placed.has(userId))
    .map(([userId, until]) => ({ userId, until }))
    .sort(byUntilThenId);
  for (const entry of pending) {
    let bin = bins.find((candidate) => candidate.usable && fits(candidate, entry));
    if (bin === undefined && freeSlots > 0) {
      freeSlots -= 1;
      bin = { name: nextName(usedNames), usable: true, entries: new Map() };
      usedNames.add(bin.name);
      bins.push(bin);
    }
    if (bin === undefined) {
      unstored.set(entry.userId, noRoom(input, bins));
      continue;
    }
    bin.entries.set(entry.userId, entry.until);
  }

  const changes: RevocationPolicyChange[] = [];
  const holders = new Map<string, string>();
  for (const [index, bin] of bins.entries()) {
    // The policies before a new one are those its denies did not fit in.
    const full = bins
      .slice(0, index)
      .filter((earlier) => earlier.usable)
      .map((earlier) => earlier.name);
    for (const userId of bin.entries.keys()) holders.set(userId, bin.name);
    const entries = [...bin.entries].map(([userId, until]) => ({ userId, until }));
    const content = scpContent(entries);
    const shape = {
      key: revocationPolicyKey(bin.name),
      policyName: bin.name,
      content,
      entries: entries.length,
      size: storedSize(content),
      sizeLimit: limits.maxDocumentSize,
    };
    const policy = bin.existing;
    if (policy === undefined) {
      changes.push({
        ...shape,
        kind: "createRevocationPolicy",
        reason:
          full.length === 0
            ? "holds leavers' denies; attached to the root, it reaches every member account"
            : `the denies do not all fit in ${full.join(", ")} (${thousands(limits.maxDocumentSize)} characters each)`,
        attachTo: input.rootId,
      } satisfies CreateRevocationPolicy);
    } else if (entries.length === 0) {
      changes.push({
        kind: "deleteRevocationPolicy",
        key: shape.key,
        reason: bin.usable
          ? "every deny it held has ended"
          : `detached, and the root has no free slot for it (${limits.maxAttachedPerTarget} SCPs at most); its denies moved`,
        policyName: bin.name,
        policyId: policy.id,
        ...(policy.attached ? { detachFrom: input.rootId } : {}),
      } satisfies DeleteRevocationPolicy);
    } else if (content !== policy.content || !policy.attached) {
      changes.push({
        ...shape,
        kind: "updateRevocationPolicy",
        reason: policy.attached
          ? changedEntries(policy.entries, entries)
          : `${changedEntries(policy.entries, entries)}; found detached`,
        policyId: policy.id,
        ...(policy.attached ? {} : { attachTo: input.rootId }),
      } satisfies UpdateRevocationPolicy);
    }
  }
  return { changes, holders, unstored };
}

/** "denies: 2 added, 1 ended, 1 moved later". */
function changedEntries(before: readonly DenyEntry[], after: readonly DenyEntry[]): string {
  const was = new Map(before.map((entry) => [entry.userId, entry.until]));
  const now = new Map(after.map((entry) => [entry.userId, entry.until]));
  const added = [...now.keys()].filter((id) => !was.has(id)).length;
  const removed = [...was.keys()].filter((id) => !now.has(id)).length;
  const moved = [...now].filter(([id, until]) => was.has(id) && was.get(id) !== until).length;
  const parts = [
    added > 0 ? `${added} added` : "",
    removed > 0 ? `${removed} removed` : "",
    moved > 0 ? `${moved} moved later` : "",
  ].filter((part) => part !== "");
  return parts.length === 0 ? "rewritten in idc-sync's form" : `denies: ${parts.join(", ")}`;
}

function noRoom(input: PackInput, bins: readonly Bin[]): string {
  const ours = bins.filter((bin) => bin.usable).length;
  return (
    `no room: the root ${input.rootId} holds ${input.othersAtRoot} other SCP${input.othersAtRoot === 1 ? "" : "s"} ` +
    `and ${ours} of idc-sync's, full (${input.limits.maxAttachedPerTarget} SCPs and ` +
    `${thousands(input.limits.maxDocumentSize)} characters each at most)`
  );
}

/** The first "idc-sync-revoke-sessions-N" no policy uses. */
function nextName(used: ReadonlySet<string>): string {
  for (let number = 1; ; number += 1) {
    const name = `${revocationPolicyPrefix}${number}`;
    if (!used.has(name)) return name;
  }
}

function policyNumber(name: string): number {
  const number = Number(name.slice(revocationPolicyPrefix.length));
  return Number.isInteger(number) && number > 0 ? number : Number.MAX_SAFE_INTEGER;
}

function byPolicyNumber(a: ExistingRevocationPolicy, b: ExistingRevocationPolicy): number {
  return policyNumber(a.name) - policyNumber(b.name) || compareStrings(a.name, b.name);
}

function byUntilThenId(a: DenyEntry, b: DenyEntry): number {
  return compareStrings(a.until, b.until) || compareStrings(a.userId, b.userId);
}
