/**
 * The `RevocationPolicies` port over AWS Organizations: reads the root (whether service control
 * policies are enabled there, what is attached to it) and the SCPs idc-sync created, and writes them.
 * A policy is idc-sync's when it carries the managed-by=idc-sync tag, which idc-sync sets in the same
 * CreatePolicy call; no other policy is read in full, changed, attached or deleted. It makes no
 * decision: what to write comes from the revocation planner.
 *
 * Sources (API reference, https://docs.aws.amazon.com/organizations/latest/APIReference/):
 * - ListRoots: `PolicyTypes` "The types of policies that are currently enabled for the root"; the root's
 *   ARN names the management account (`arn:aws:organizations::<management account>:root/o-.../r-...`).
 * - CreatePolicy: "If the request includes tags, then the requester must have the
 *   organizations:TagResource permission."
 * - DetachPolicy before DeletePolicy: "you must first detach the policy from all organizational units
 *   (OUs), roots, and accounts" (API_DeletePolicy).
 */
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  type OrganizationsClient,
  type PolicySummary,
  type Root,
  UpdatePolicyCommand,
} from "@aws-sdk/client-organizations";
import { ChangeFailedError } from "../../sync/errors.js";
import type { RevocationPolicyChange, ScpReadout, StoredRevocationPolicy } from "../../sync/model.js";
import type { RevocationPolicies } from "../../sync/ports.js";
import { revocationPolicyDescription, revocationPolicyPrefix } from "../../sync/revocation/scp-packing.js";
import type { Sleep } from "../retry.js";
import { allPages } from "./all-pages.js";
import { AwsCaller, AwsService, awsErrorName, type CallListener, type RetryPolicy } from "./aws-caller.js";
import { type ExpectedAwsError, toleratingAwsError } from "./expected-error.js";
import { type AwsLimits, type AwsRateBuckets, defaultAwsLimits } from "./limits.js";
import { managedByTag } from "./permission-set-attributes.js";

const scpType = "SERVICE_CONTROL_POLICY" as const;
/** Organizations pages hold at most 20 entries. */
const pageSize = 20;

export interface AwsRevocationPoliciesOptions {
  organizations: OrganizationsClient;
  limits?: Partial<AwsLimits>;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  now?: () => number;
  onCall?: CallListener;
  /** Told about every answer that was AWS throttling a request. */
  onThrottled?: CallListener;
  /** Token buckets shared with the process's other adapters (`processRateBuckets`); default: its own. */
  rateBuckets?: AwsRateBuckets;
}

export class AwsRevocationPolicies implements RevocationPolicies {
  private readonly organizations: OrganizationsClient;
  private readonly caller: AwsCaller;

  constructor(options: AwsRevocationPoliciesOptions) {
    this.organizations = options.organizations;
    this.caller = new AwsCaller({
      limits: { ...defaultAwsLimits, ...options.limits },
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.onCall ? { onCall: options.onCall } : {}),
      ...(options.onThrottled ? { onThrottled: options.onThrottled } : {}),
      ...(options.rateBuckets ? { rateBuckets: options.rateBuckets } : {}),
    });
  }

  async read(): Promise<ScpReadout> {
    try {
      const roots = await this.pages<Root>("ListRoots", async (NextToken) => {
        const page = await this.organizations.send(new ListRootsCommand({ NextToken }));
        return [page.Roots ?? [], page.NextToken];
      });
      const root = roots[0];
      if (root?.Id === undefined) return { usable: false, problem: "the organization has no root" };
      const status = root.PolicyTypes?.find((type) => type.Type === scpType)?.Status;
      if (status !== "ENABLED") {
        return {
          usable: false,
          problem:
            `service control policies are ${status === undefined ? "not enabled" : `${status.toLowerCase().replace("_", " ")}`} in the root ${root.Id} ` +
            `(enable them with \`aws organizations enable-policy-type --root-id ${root.Id} --policy-type ${scpType}\`, or set leavers.revokeSessions: permissionSets)`,
        };
      }
      const managementAccountId = /^arn:[^:]+:organizations::(\d{12}):root\//.exec(root.Arn ?? "")?.[1];
      if (managementAccountId === undefined) {
        return {
          usable: false,
          problem: `the root's ARN ${root.Arn ?? "(none)"} names no management account`,
        };
      }
      const attached = await this.pages<PolicySummary>("ListPoliciesForTarget", async (NextToken) => {
        const page = await this.organizations.send(
          new ListPoliciesForTargetCommand({
            TargetId: root.Id,
            Filter: scpType,
            MaxResults: pageSize,
            NextToken,
          }),
        );
        return [page.Policies ?? [], page.NextToken];
      });
      const everyPolicy = await this.pages<PolicySummary>("ListPolicies", async (NextToken) => {
        const page = await this.organizations.send(
          new ListPoliciesCommand({ Filter: scpType, MaxResults: pageSize, NextToken }),
        );
        return [page.Policies ?? [], page.NextToken];
      });
      const policies: StoredRevocationPolicy[] = [];
      const foreignNames: string[] = [];
      for (const summary of everyPolicy) {
        if (summary.Id === undefined || summary.Name === undefined) continue;
        if (!summary.Name.startsWith(revocationPolicyPrefix) || summary.AwsManaged === true) continue;
        if (!(await this.isOurs(summary.Id))) {
          foreignNames.push(summary.Name);
          continue;
        }
        const described = await this.caller.call(AwsService.organizations, "DescribePolicy", () =>
          this.organizations.send(new DescribePolicyCommand({ PolicyId: summary.Id })),
        );
        policies.push({ id: summary.Id, name: summary.Name, content: described.Policy?.Content ?? "" });
      }
      return {
        usable: true,
        rootId: root.Id,
        managementAccountId,
        attachedToRoot: attached.flatMap((policy) => (policy.Id === undefined ? [] : [policy.Id])),
        policies,
        foreignNames,
      };
    } catch (error) {
      return { usable: false, problem: readProblem(error) };
    }
  }

  async apply(change: RevocationPolicyChange): Promise<void> {
    try {
      switch (change.kind) {
        case "createRevocationPolicy": {
          const created = await this.caller.call(AwsService.organizations, "CreatePolicy", () =>
            this.organizations.send(
              new CreatePolicyCommand({
                Name: change.policyName,
                Description: revocationPolicyDescription,
                Type: scpType,
                Content: change.content,
                Tags: [{ Key: managedByTag.key, Value: managedByTag.value }],
              }),
            ),
          );
          const id = created.Policy?.PolicySummary?.Id;
          if (id === undefined) throw new Error("CreatePolicy answered without the new policy's id");
          await this.attach(id, change.attachTo);
          return;
        }
        case "updateRevocationPolicy":
          await this.caller.call(AwsService.organizations, "UpdatePolicy", () =>
            this.organizations.send(
              new UpdatePolicyCommand({ PolicyId: change.policyId, Content: change.content }),
            ),
          );
          if (change.attachTo !== undefined) await this.attach(change.policyId, change.attachTo);
          return;
        case "deleteRevocationPolicy":
          if (change.detachFrom !== undefined) {
            await this.tolerating("PolicyNotAttachedException", "DetachPolicy", () =>
              this.organizations.send(
                new DetachPolicyCommand({ PolicyId: change.policyId, TargetId: change.detachFrom }),
              ),
            );
          }
          await this.tolerating("PolicyNotFoundException", "DeletePolicy", () =>
            this.organizations.send(new DeletePolicyCommand({ PolicyId: change.policyId })),
          );
          return;
      }
    } catch (error) {
      const name = awsErrorName(error);
      const message = error instanceof Error ? error.message : String(error);
      throw new ChangeFailedError(`${change.key}: ${name ? `${name}: ` : ""}${message}`, change.key, {
        cause: error,
      });
    }
  }

  /** Attached already (an earlier run stopped after attaching) is what was wanted. */
  private attach(policyId: string, rootId: string): Promise<void> {
    return this.tolerating("DuplicatePolicyAttachmentException", "AttachPolicy", () =>
      this.organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: rootId })),
    );
  }

  private tolerating(
    harmless: ExpectedAwsError,
    operation: string,
    send: () => Promise<unknown>,
  ): Promise<void> {
    return toleratingAwsError(() => this.caller.call(AwsService.organizations, operation, send), harmless);
  }

  private async isOurs(policyId: string): Promise<boolean> {
    const tags = await this.pages("ListTagsForResource", async (NextToken) => {
      const page = await this.organizations.send(
        new ListTagsForResourceCommand({ ResourceId: policyId, NextToken }),
      );
      return [page.Tags ?? [], page.NextToken];
    });
    return tags.some((tag) => tag.Key === managedByTag.key && tag.Value === managedByTag.value);
  }

  private pages<T>(
    operation: string,
    fetch: (nextToken: string | undefined) => Promise<[T[], string | undefined]>,
  ): Promise<T[]> {
    return allPages(async (nextToken) => {
      const [items, next] = await this.caller.call(AwsService.organizations, operation, () =>
        fetch(nextToken),
      );
      return { items, nextToken: next };
    });
  }
}

/** Why the policies could not be read, with what to do about the usual causes. */
function readProblem(error: unknown): string {
  const name = awsErrorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const said = `${name ? `${name}: ` : ""}${message}`;
  if (name === "AccessDeniedException") {
    return (
      `AWS Organizations refused (${said}): service control policies can be managed only from the management account ` +
      "or a delegated administrator for Organizations policies, with the permissions the README lists " +
      "(deploy with --param revokeSessionsWithScp=true)"
    );
  }
  if (name === "AWSOrganizationsNotInUseException") return `this account is in no organization (${said})`;
  return `AWS Organizations could not be read (${said})`;
}
