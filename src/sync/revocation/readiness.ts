/**
 * Whether `leavers.revokeSessions: scp` can work in this organization, told before a run has to find
 * out: service control policies enabled in the root, the caller allowed to manage them, and a slot on
 * the root for idc-sync's policies. Pure: the readout comes from the `RevocationPolicies` port.
 */
import type { ScpReadout } from "../model.js";
import { thousands } from "../numbers.js";
import { documentedScpLimits, type ScpLimits } from "./scp-packing.js";

/** Why SCPs cannot hold leavers' denies here, or undefined when they can. */
export function scpReadinessProblem(
  readout: ScpReadout,
  limits: ScpLimits = documentedScpLimits,
): string | undefined {
  if (!readout.usable) return readout.problem;
  const ours = new Set(readout.policies.map((policy) => policy.id));
  const oursAttached = readout.attachedToRoot.filter((id) => ours.has(id)).length;
  const others = readout.attachedToRoot.length - oursAttached;
  if (oursAttached === 0 && others >= limits.maxAttachedPerTarget) {
    return (
      `the root ${readout.rootId} already has ${others} SCPs attached, the most it may have (${limits.maxAttachedPerTarget}): ` +
      `there is no slot for idc-sync's (detach one, or set leavers.revokeSessions: permissionSets; each holds about ` +
      `${thousands(Math.floor(limits.maxDocumentSize / 52))} denies)`
    );
  }
  return undefined;
}
