/**
 * An in-memory AWS Organizations for the kill switch's unit tests: a `RevocationPolicies` port that keeps
 * the root's attachments and idc-sync's policies, and refuses what AWS refuses (a document over the size
 * limit, a sixth SCP on the root, deleting an attached policy), so a planner that breaks a limit fails
 * the test. The emulator in tests/emulators/aws does the same over HTTP for the integration tests.
 */

import type { RevocationPolicyChange, ScpReadout, StoredRevocationPolicy } from "../../src/sync/model.js";
import type { RevocationPolicies } from "../../src/sync/ports.js";
import { storedSize } from "../../src/sync/revocation/deny-statements.js";
import { documentedScpLimits, type ScpLimits } from "../../src/sync/revocation/scp-packing.js";

export const testRootId = "r-ab12";
export const testManagementAccountId = "000000000000";

export class InMemoryScps implements RevocationPolicies {
  readonly policies = new Map<string, StoredRevocationPolicy>();
  /** Policy ids attached to the root: FullAWSAccess and whatever else a test puts there. */
  readonly attached: string[];
  private next = 1;
  /** Every write, for tests that count them. */
  readonly writes: RevocationPolicyChange[] = [];

  constructor(
    readonly options: { limits?: ScpLimits; otherPoliciesAtRoot?: number; usable?: boolean | string } = {},
  ) {
    this.attached = Array.from({ length: options.otherPoliciesAtRoot ?? 1 }, (_, index) =>
      index === 0 ? "p-FullAWSAccess" : `p-other${index}`,
    );
  }

  get limits(): ScpLimits {
    return this.options.limits ?? documentedScpLimits;
  }

  async read(): Promise<ScpReadout> {
    const usable = this.options.usable ?? true;
    if (usable !== true) {
      return { usable: false, problem: typeof usable === "string" ? usable : "not usable" };
    }
    return {
      usable: true,
      rootId: testRootId,
      managementAccountId: testManagementAccountId,
      attachedToRoot: [...this.attached],
      policies: [...this.policies.values()].map((policy) => ({ ...policy })),
      foreignNames: [],
    };
  }

  async apply(change: RevocationPolicyChange): Promise<void> {
    this.writes.push(change);
    switch (change.kind) {
      case "createRevocationPolicy": {
        this.checkSize(change.content);
        const id = `p-idcsync${String(this.next++).padStart(4, "0")}`;
        this.policies.set(id, { id, name: change.policyName, content: change.content });
        this.attach(id);
        return;
      }
      case "updateRevocationPolicy": {
        const policy = this.policies.get(change.policyId);
        if (!policy) throw new Error(`PolicyNotFoundException: ${change.policyId}`);
        this.checkSize(change.content);
        policy.content = change.content;
        if (change.attachTo !== undefined) this.attach(change.policyId);
        return;
      }
      case "deleteRevocationPolicy": {
        if (change.detachFrom !== undefined) this.attached.splice(this.attached.indexOf(change.policyId), 1);
        if (this.attached.includes(change.policyId)) throw new Error("PolicyInUseException");
        this.policies.delete(change.policyId);
        return;
      }
    }
  }

  /** Every user id the policies deny, with its expiry. */
  denied(): Map<string, string> {
    const ids = new Map<string, string>();
    for (const policy of this.policies.values()) {
      const document = JSON.parse(policy.content) as {
        Statement: { Sid: string; Condition: { StringEquals: Record<string, string[]> } }[];
      };
      for (const statement of document.Statement) {
        for (const id of statement.Condition.StringEquals["identitystore:userId"] ?? [])
          ids.set(id, statement.Sid);
      }
    }
    return ids;
  }

  private attach(id: string): void {
    if (this.attached.includes(id)) return;
    if (this.attached.length >= this.limits.maxAttachedPerTarget) {
      throw new Error("ConstraintViolationException: MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED");
    }
    this.attached.push(id);
  }

  private checkSize(content: string): void {
    if (storedSize(content) > this.limits.maxDocumentSize) {
      throw new Error("ConstraintViolationException: POLICY_CONTENT_LIMIT_EXCEEDED");
    }
  }
}
