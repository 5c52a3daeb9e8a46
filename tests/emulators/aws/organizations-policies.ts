/**
 * AWS Organizations service control policies for the AWS emulator: CreatePolicy, UpdatePolicy,
 * DescribePolicy, DeletePolicy, ListPolicies, AttachPolicy, DetachPolicy, ListPoliciesForTarget,
 * ListTargetsForPolicy, ListTagsForResource (of a policy), EnablePolicyType, DisablePolicyType, ListRoots (with PolicyTypes) and
 * DescribeOrganization, with the documented errors and quotas, and who may call them (the management
 * account or a delegated administrator, told apart by the SigV4 access key of the request).
 *
 * Sources:
 * - API reference (the same text ships in @aws-sdk/client-organizations' model documentation):
 *   https://docs.aws.amazon.com/organizations/latest/APIReference/API_<Operation>.html
 * - Quotas: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 * - SCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 * Only SERVICE_CONTROL_POLICY is modelled; other policy types are refused with InvalidInputException.
 */
import { randomBytes } from "node:crypto";
import type { Handler } from "./identity-store-api.js";
import { organizationsHandlers } from "./organizations-api.js";
import { AwsApiError, type Input, paginate, requireString } from "./protocol.js";
import type { EmulatorStore, StoredOrganization } from "./store.js";

export const scpType = "SERVICE_CONTROL_POLICY";

/** The SCP quotas the emulator enforces. */
export interface ScpQuotas {
  /** Largest policy document, counted as stored (see `policyDocumentSize`). */
  maxDocumentSize: number;
  /** SCPs directly attached to one root, OU or account. */
  maxAttachedPerTarget: number;
  /** SCPs in the organization, FullAWSAccess included. */
  maxPolicies: number;
}

/**
 * The quotas page has changed. The version quoted in research-google-push.md §4.5 (and older copies of the
 * page) says "Service control policies: 5120 characters" (earlier still "5120 bytes (not characters)"),
 * "Maximum attached to root/per OU/per account: 5" and "1000 per policy type"; the current page says
 * "Service control policies: 10,240 characters", a maximum of 10 attached per root, OU and account, and
 * "Service control policies: 10,000" per organization. An organization may still live under the old
 * numbers, so the emulator defaults to the stricter ones; tests of the new quotas pass `current`.
 */
export const documentedScpQuotas = {
  strict: { maxDocumentSize: 5_120, maxAttachedPerTarget: 5, maxPolicies: 1_000 },
  current: { maxDocumentSize: 10_240, maxAttachedPerTarget: 10, maxPolicies: 10_000 },
} as const satisfies Record<string, ScpQuotas>;

/**
 * The size a policy document counts for. "If you save the policy using an SDK operation or the AWS CLI,
 * then the policy is saved exactly as you provided and no automatic removal of characters occurs"
 * (quotas page), so whitespace counts. The page says characters, an earlier version "bytes (not
 * characters)": the emulator counts UTF-8 bytes, the stricter reading (equal for ASCII documents).
 */
export function policyDocumentSize(content: string): number {
  return Buffer.byteLength(content, "utf8");
}

export interface OrganizationPoliciesOptions {
  /** Default `documentedScpQuotas.strict`. */
  quotas?: ScpQuotas;
  /** SCPs enabled in the root from the start (FullAWSAccess attached everywhere). Default false. */
  scpEnabled?: boolean;
  /** The organization's management account. Default "000000000000". */
  managementAccountId?: string;
  /** Member accounts the resource-based delegation policy lets manage policies. */
  delegatedAdministrators?: string[];
  /** SigV4 access key id → the account it belongs to. Keys not listed are the management account's. */
  callers?: Record<string, string>;
}

interface StoredPolicy {
  id: string;
  arn: string;
  name: string;
  description: string;
  type: string;
  awsManaged: boolean;
  content: string;
  tags: Array<{ Key: string; Value: string }>;
}

const fullAwsAccess = {
  id: "p-FullAWSAccess",
  arn: "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
  name: "FullAWSAccess",
  description: "Allows access to every operation",
  content:
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}',
};

const pageRules = (scope: string) => ({
  max: 20,
  default: 20,
  scope,
  badInput: "InvalidInputException" as const,
});
/** Name: "Length Constraints: Minimum length of 1. Maximum length of 128." ASCII printable (API_CreatePolicy). */
const namePattern = /^[\u0020-\u007E]{1,128}$/;
/** Description: "Maximum length of 512." (API_CreatePolicy). */
const maxDescriptionLength = 512;
/** PolicyId: "^p-[0-9a-zA-Z_]{8,128}$" (API_DescribePolicy). */
const policyIdPattern = /^p-[0-9a-zA-Z_]{8,128}$/;

/** The policy state of one emulated organization and its test controls (`emulator.organizationPolicies`). */
export class OrganizationPolicies {
  readonly quotas: ScpQuotas;
  managementAccountId: string;
  private readonly delegated: Set<string>;
  private readonly callers: Map<string, string>;
  private readonly policies = new Map<string, StoredPolicy>();
  /** policy id → target ids. */
  private readonly attachments = new Map<string, Set<string>>();
  private scpEnabled = false;

  constructor(
    private readonly store: EmulatorStore,
    options: OrganizationPoliciesOptions = {},
  ) {
    this.quotas = options.quotas ?? documentedScpQuotas.strict;
    this.managementAccountId = options.managementAccountId ?? "000000000000";
    this.delegated = new Set(options.delegatedAdministrators ?? []);
    this.callers = new Map(Object.entries(options.callers ?? {}));
    this.policies.set(fullAwsAccess.id, {
      ...fullAwsAccess,
      type: scpType,
      awsManaged: true,
      tags: [],
    });
    if (options.scpEnabled && store.organization) this.enableScps(store.organization);
  }

  /** Test control: requests signed with this access key come from this account. */
  setCaller(accessKeyId: string, accountId: string): void {
    this.callers.set(accessKeyId, accountId);
  }

  /** Test control: this account is the organization's management account. */
  setManagementAccount(accountId: string): void {
    this.managementAccountId = accountId;
  }

  /** Test control: let a member account manage policies as a delegated administrator. */
  delegatePolicyManagement(accountId: string): void {
    this.delegated.add(accountId);
  }

  /** The account a request signed with this access key comes from. */
  accountOf(accessKeyId: string | undefined): string {
    return (accessKeyId && this.callers.get(accessKeyId)) || this.managementAccountId;
  }

  /**
   * The SCP documents that restrict an account: those attached to it, its OUs and the root. None for the
   * management account: "SCPs don't affect users or roles in the management account"
   * (orgs_manage_policies_scps.html).
   */
  policiesInForce(accountId: string): string[] {
    const org = this.store.organization;
    if (!org || !this.scpEnabled || accountId === this.managementAccountId) return [];
    const chain = new Set<string>([accountId]);
    let parent = org.accounts.get(accountId)?.parentId;
    while (parent) {
      chain.add(parent);
      parent = org.organizationalUnits.get(parent)?.parentId;
    }
    return [...this.policies.values()]
      .filter((policy) => [...(this.attachments.get(policy.id) ?? [])].some((target) => chain.has(target)))
      .map((policy) => policy.content);
  }

  /** Whether SCPs are enabled in the root. */
  get serviceControlPoliciesEnabled(): boolean {
    return this.scpEnabled;
  }

  /** The operation handlers; `caller()` names the access key of the request being answered. */
  handlers(caller: () => string | undefined): Record<string, Handler> {
    const authorize = (): StoredOrganization => {
      const org = this.organization();
      const account = this.accountOf(caller());
      // "You can only call this operation from the management account or a member account that is a
      // delegated administrator." (every operation here)
      if (account !== this.managementAccountId && !this.delegated.has(account)) {
        throw new AwsApiError("AccessDeniedException", "You don't have permissions to access this resource.");
      }
      return org;
    };
    return {
      DescribeOrganization: () => {
        // Any account in the organization may describe it (API_DescribeOrganization).
        const org = this.organization();
        return {
          Organization: {
            Id: org.id,
            Arn: `arn:aws:organizations::${this.managementAccountId}:organization/${org.id}`,
            FeatureSet: "ALL",
            MasterAccountArn: `arn:aws:organizations::${this.managementAccountId}:account/${org.id}/${this.managementAccountId}`,
            MasterAccountId: this.managementAccountId,
            MasterAccountEmail: `aws+${this.managementAccountId}@example.com`,
            AvailablePolicyTypes: [{ Type: scpType, Status: "ENABLED" }],
          },
        };
      },

      ListRoots: (input) => {
        const org = authorize();
        const { page, nextToken } = paginate([org.rootId], input, pageRules("ListRoots"));
        return { Roots: page.map(() => this.root(org)), NextToken: nextToken };
      },

      EnablePolicyType: (input) => {
        const org = authorize();
        this.checkRoot(org, requireString(input, "RootId", "InvalidInputException"));
        this.checkType(requireString(input, "PolicyType", "InvalidInputException"));
        if (this.scpEnabled) {
          throw new AwsApiError(
            "PolicyTypeAlreadyEnabledException",
            "The specified policy type is already enabled.",
          );
        }
        this.enableScps(org);
        return { Root: this.root(org) };
      },

      DisablePolicyType: (input) => {
        const org = authorize();
        this.checkRoot(org, requireString(input, "RootId", "InvalidInputException"));
        this.checkType(requireString(input, "PolicyType", "InvalidInputException"));
        if (!this.scpEnabled) throw this.typeNotEnabled();
        // Disabling the type in the root detaches every SCP: "After you perform this operation, you no
        // longer can attach policies of the specified type to that root or to any organizational unit
        // (OU) or account in that root." (API_DisablePolicyType)
        this.scpEnabled = false;
        this.attachments.clear();
        return { Root: this.root(org) };
      },

      CreatePolicy: (input) => {
        authorize();
        const name = requireString(input, "Name", "InvalidInputException");
        const type = requireString(input, "Type", "InvalidInputException");
        const content = requireString(input, "Content", "InvalidInputException");
        const description = this.description(input);
        this.checkType(type);
        this.checkName(name);
        this.checkContent(content);
        if ([...this.policies.values()].some((policy) => policy.type === type && policy.name === name)) {
          throw new AwsApiError("DuplicatePolicyException", "A policy with the same name already exists.");
        }
        if (
          [...this.policies.values()].filter((policy) => policy.type === type).length >=
          this.quotas.maxPolicies
        ) {
          throw constraint(
            "POLICY_NUMBER_LIMIT_EXCEEDED",
            "You have exceeded the number of policies allowed.",
          );
        }
        const id = `p-${randomBytes(6).toString("hex")}`;
        const org = this.organization();
        const policy: StoredPolicy = {
          id,
          arn: `arn:aws:organizations::${this.managementAccountId}:policy/${org.id}/service_control_policy/${id}`,
          name,
          description,
          type,
          awsManaged: false,
          content,
          tags: Array.isArray(input.Tags) ? (input.Tags as Array<{ Key: string; Value: string }>) : [],
        };
        this.policies.set(id, policy);
        return { Policy: this.describe(policy) };
      },

      UpdatePolicy: (input) => {
        authorize();
        const policy = this.policy(input);
        if (policy.awsManaged) {
          // Not documented how AWS answers; AWS managed policies cannot be changed, so it is refused.
          throw new AwsApiError("AccessDeniedException", "You can't modify an AWS managed policy.");
        }
        const name =
          input.Name === undefined ? undefined : requireString(input, "Name", "InvalidInputException");
        const content =
          input.Content === undefined ? undefined : requireString(input, "Content", "InvalidInputException");
        if (name !== undefined) {
          this.checkName(name);
          const clash = [...this.policies.values()].some(
            (other) => other !== policy && other.type === policy.type && other.name === name,
          );
          if (clash)
            throw new AwsApiError("DuplicatePolicyException", "A policy with the same name already exists.");
        }
        if (content !== undefined) this.checkContent(content);
        // "If you don't supply any parameter, that value remains unchanged." (API_UpdatePolicy)
        if (name !== undefined) policy.name = name;
        if (input.Description !== undefined) policy.description = this.description(input);
        if (content !== undefined) policy.content = content;
        return { Policy: this.describe(policy) };
      },

      DescribePolicy: (input) => {
        authorize();
        return { Policy: this.describe(this.policy(input)) };
      },

      DeletePolicy: (input) => {
        authorize();
        const policy = this.policy(input);
        if (policy.awsManaged)
          throw new AwsApiError("AccessDeniedException", "You can't delete an AWS managed policy.");
        // "you must first detach the policy from all organizational units (OUs), roots, and accounts"
        if ((this.attachments.get(policy.id)?.size ?? 0) > 0) {
          throw new AwsApiError(
            "PolicyInUseException",
            "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.",
          );
        }
        this.policies.delete(policy.id);
        return {};
      },

      ListPolicies: (input) => {
        authorize();
        const filter = requireString(input, "Filter", "InvalidInputException");
        this.checkType(filter);
        const all = [...this.policies.values()].filter((policy) => policy.type === filter);
        const { page, nextToken } = paginate(all, input, pageRules(`ListPolicies:${filter}`));
        return { Policies: page.map((policy) => this.summary(policy)), NextToken: nextToken };
      },

      ListPoliciesForTarget: (input) => {
        const org = authorize();
        const targetId = requireString(input, "TargetId", "InvalidInputException");
        const filter = requireString(input, "Filter", "InvalidInputException");
        this.checkType(filter);
        this.target(org, targetId);
        const attached = [...this.policies.values()].filter(
          (policy) => policy.type === filter && this.attachments.get(policy.id)?.has(targetId),
        );
        const { page, nextToken } = paginate(attached, input, pageRules(`ForTarget:${targetId}:${filter}`));
        return { Policies: page.map((policy) => this.summary(policy)), NextToken: nextToken };
      },

      // "Lists tags that are attached to the specified resource." ResourceId: "AWS account ... Organizational
      // unit ... Root ... Policy (any type) – specify the policy ID that begins with p- and looks similar to:
      // p-12abcdefg3" (API_ListTagsForResource). Accounts keep their handler in organizations-api.ts.
      ListTagsForResource: (input) => {
        const resourceId = requireString(input, "ResourceId", "InvalidInputException");
        if (!resourceId.startsWith("p-")) return this.accountTags(input);
        authorize();
        const policy = this.policy({ PolicyId: resourceId });
        const { page, nextToken } = paginate(policy.tags, input, pageRules(`PolicyTags:${policy.id}`));
        return { Tags: page, NextToken: nextToken };
      },

      ListTargetsForPolicy: (input) => {
        const org = authorize();
        const policy = this.policy(input);
        const targets = [...(this.attachments.get(policy.id) ?? [])].sort().map((id) => this.target(org, id));
        const { page, nextToken } = paginate(targets, input, pageRules(`Targets:${policy.id}`));
        return { Targets: page, NextToken: nextToken };
      },

      AttachPolicy: (input) => {
        const org = authorize();
        const policy = this.policy(input);
        const targetId = requireString(input, "TargetId", "InvalidInputException");
        this.target(org, targetId);
        if (!this.scpEnabled) throw this.typeNotEnabled();
        const attached = this.attachments.get(policy.id) ?? new Set<string>();
        if (attached.has(targetId)) {
          throw new AwsApiError(
            "DuplicatePolicyAttachmentException",
            "The selected policy is already attached to the specified target.",
          );
        }
        // "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED: You attempted to exceed the number of policies of a
        // certain type that can be attached to an entity at one time." FullAWSAccess counts like any other.
        if (this.attachedTo(targetId) >= this.quotas.maxAttachedPerTarget) {
          throw constraint(
            "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "You have attached the maximum number of policies of this type to the specified target.",
          );
        }
        attached.add(targetId);
        this.attachments.set(policy.id, attached);
        return {};
      },

      DetachPolicy: (input) => {
        const org = authorize();
        const policy = this.policy(input);
        const targetId = requireString(input, "TargetId", "InvalidInputException");
        this.target(org, targetId);
        const attached = this.attachments.get(policy.id);
        if (!attached?.has(targetId)) {
          throw new AwsApiError(
            "PolicyNotAttachedException",
            "The policy isn't attached to the specified target in the specified root.",
          );
        }
        // "Every root, OU, and account must have at least one SCP attached." (API_DetachPolicy)
        if (this.attachedTo(targetId) <= 1) {
          throw constraint(
            "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "You can't detach the last policy of this type from the specified target.",
          );
        }
        attached.delete(targetId);
        return {};
      },
    };
  }

  // ─── Helpers ──────────────────────────────────────────────────────────────────────────────────────

  /** The tags of a root, OU or account, as organizations-api.ts answers them. */
  private accountTags(input: Input): unknown {
    const handler = organizationsHandlers(this.store).ListTagsForResource;
    if (!handler) throw new AwsApiError("UnknownOperationException", "ListTagsForResource is not emulated");
    return handler(input);
  }

  private organization(): StoredOrganization {
    if (!this.store.organization) {
      throw new AwsApiError(
        "AWSOrganizationsNotInUseException",
        "Your account is not a member of an organization.",
      );
    }
    return this.store.organization;
  }

  /** Enabling SCPs attaches FullAWSAccess to the root, every OU and every account, as AWS does. */
  private enableScps(org: StoredOrganization): void {
    this.scpEnabled = true;
    this.attachments.set(
      fullAwsAccess.id,
      new Set([org.rootId, ...org.organizationalUnits.keys(), ...org.accounts.keys()]),
    );
  }

  private root(org: StoredOrganization) {
    return {
      Id: org.rootId,
      Arn: `arn:aws:organizations::${this.managementAccountId}:root/${org.id}/${org.rootId}`,
      Name: "Root",
      PolicyTypes: this.scpEnabled ? [{ Type: scpType, Status: "ENABLED" }] : [],
    };
  }

  private checkRoot(org: StoredOrganization, rootId: string): void {
    if (rootId !== org.rootId) {
      throw new AwsApiError(
        "RootNotFoundException",
        "We can't find a root with the RootId that you specified.",
      );
    }
  }

  private checkType(type: string): void {
    if (type !== scpType) {
      throw new AwsApiError("InvalidInputException", `The emulator models only ${scpType}, not ${type}.`);
    }
  }

  private checkName(name: string): void {
    if (!namePattern.test(name)) {
      throw new AwsApiError(
        "InvalidInputException",
        "You provided a value that does not match the required pattern.",
        400,
        {
          Reason: "INVALID_NAME",
        },
      );
    }
  }

  private description(input: Input): string {
    const description = input.Description;
    // Description is a required member of CreatePolicyRequest (the SDK model marks it so).
    if (typeof description !== "string") {
      throw new AwsApiError("InvalidInputException", "You must specify a value for Description.", 400, {
        Reason: "INPUT_REQUIRED",
      });
    }
    if (description.length > maxDescriptionLength) {
      throw new AwsApiError("InvalidInputException", "Description is too long.", 400, {
        Reason: "MAX_LENGTH_EXCEEDED",
      });
    }
    return description;
  }

  private checkContent(content: string): void {
    if (policyDocumentSize(content) > this.quotas.maxDocumentSize) {
      // "POLICY_CONTENT_LIMIT_EXCEEDED: You attempted to create a policy that is larger than the maximum size."
      throw constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "You have exceeded the maximum policy size.");
    }
    const problem = scpSyntaxProblem(content);
    if (problem) {
      // "The provided policy document doesn't meet the requirements of the specified policy type."
      throw new AwsApiError("MalformedPolicyDocumentException", problem);
    }
  }

  private policy(input: Input): StoredPolicy {
    const id = requireString(input, "PolicyId", "InvalidInputException");
    if (!policyIdPattern.test(id)) {
      throw new AwsApiError("InvalidInputException", "You specified an invalid value.", 400, {
        Reason: "INVALID_PATTERN",
      });
    }
    const policy = this.policies.get(id);
    if (!policy)
      throw new AwsApiError(
        "PolicyNotFoundException",
        "We can't find a policy with the PolicyId that you specified.",
      );
    return policy;
  }

  private target(org: StoredOrganization, targetId: string) {
    const notFound = () =>
      new AwsApiError(
        "TargetNotFoundException",
        "We can't find a root, OU, account, or policy with the TargetId that you specified.",
      );
    if (targetId === org.rootId) {
      return { TargetId: targetId, Arn: this.root(org).Arn, Name: "Root", Type: "ROOT" };
    }
    const ou = org.organizationalUnits.get(targetId);
    if (ou) {
      return {
        TargetId: targetId,
        Arn: `arn:aws:organizations::${this.managementAccountId}:ou/${org.id}/${targetId}`,
        Name: ou.name,
        Type: "ORGANIZATIONAL_UNIT",
      };
    }
    const account = org.accounts.get(targetId);
    if (account) {
      return {
        TargetId: targetId,
        Arn: `arn:aws:organizations::${this.managementAccountId}:account/${org.id}/${targetId}`,
        Name: account.name,
        Type: "ACCOUNT",
      };
    }
    throw notFound();
  }

  private attachedTo(targetId: string): number {
    let count = 0;
    for (const targets of this.attachments.values()) if (targets.has(targetId)) count += 1;
    return count;
  }

  private typeNotEnabled(): AwsApiError {
    return new AwsApiError(
      "PolicyTypeNotEnabledException",
      "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.",
    );
  }

  private summary(policy: StoredPolicy) {
    return {
      Id: policy.id,
      Arn: policy.arn,
      Name: policy.name,
      Description: policy.description,
      Type: policy.type,
      AwsManaged: policy.awsManaged,
    };
  }

  private describe(policy: StoredPolicy) {
    return { PolicySummary: this.summary(policy), Content: policy.content };
  }
}

/** The access key id of a SigV4 `Authorization` header ("Credential=AKID/date/region/service/aws4_request"). */
export function accessKeyOf(authorization: string | undefined): string | undefined {
  return authorization ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
}

function constraint(reason: string, message: string): AwsApiError {
  return new AwsApiError("ConstraintViolationException", message, 400, { Reason: reason });
}

/**
 * The SCP grammar the emulator checks: one JSON object with "Version" and "Statement"; each statement has
 * "Effect" Allow or Deny and "Action" or "NotAction" (SCP syntax,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html:
 * "An SCP must consist of one and only one JSON object" per the troubleshooting page).
 */
function scpSyntaxProblem(content: string): string | undefined {
  let document: unknown;
  try {
    document = JSON.parse(content);
  } catch {
    return "The provided policy document isn't valid JSON.";
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return "The policy must be one JSON object.";
  }
  const { Version, Statement } = document as Record<string, unknown>;
  if (Version !== undefined && Version !== "2012-10-17" && Version !== "2008-10-17")
    return "Invalid Version.";
  const statements = Array.isArray(Statement) ? Statement : Statement === undefined ? [] : [Statement];
  if (statements.length === 0) return "The policy must contain a Statement.";
  for (const statement of statements) {
    if (typeof statement !== "object" || statement === null) return "Each Statement must be an object.";
    const { Effect, Action, NotAction } = statement as Record<string, unknown>;
    if (Effect !== "Allow" && Effect !== "Deny") return "Each Statement needs Effect Allow or Deny.";
    if (Action === undefined && NotAction === undefined) return "Each Statement needs Action or NotAction.";
  }
  return undefined;
}
