/**
 * The sso-admin operations idc-sync calls. CreateAccountAssignment, DeleteAccountAssignment and
 * ProvisionPermissionSet are asynchronous as in AWS: they answer IN_PROGRESS with a request id, stay
 * IN_PROGRESS for `asyncPolls` status polls, then take effect (SUCCEEDED) or fail with a reason chosen
 * by the fault predicates. Creating an assignment that exists already succeeds (idempotent).
 */
import { randomUUID } from "node:crypto";
import type { PrincipalType } from "../../../src/sync/model.js";
import {
  constrained,
  groupsPerPermissionSetPerAccount,
  inlinePolicyConstraint,
  inlinePolicyNonWhitespaceBytes,
  instanceArnConstraint,
  managedPolicyArnConstraint,
  nonWhitespaceBytes,
  optionalConstrained,
  partitionOf,
  permissionSetDescriptionConstraint,
  policiesPerPermissionSet,
  relayStateConstraint,
  serviceQuotaExceeded,
  tagKeyConstraint,
  tagValueConstraint,
} from "./api-constraints.js";
import type { Handler } from "./identity-store-api.js";
import {
  AwsApiError,
  epochSeconds,
  type Input,
  optionalString,
  paginate,
  requireString,
  validation,
} from "./protocol.js";
import {
  assignmentKey,
  type EmulatorStore,
  type StoredAssignment,
  type StoredPermissionSet,
} from "./store.js";

/** What a failing-assignment predicate sees; return a FailureReason to make the request FAIL. */
export interface AssignmentRequestView {
  operation: "create" | "delete";
  accountId: string;
  permissionSetName: string;
  principalType: PrincipalType;
  principalName: string;
}

export interface ProvisioningRequestView {
  permissionSetName: string;
  /** Undefined for ALL_PROVISIONED_ACCOUNTS. */
  accountId?: string;
}

/** Knobs for the asynchronous operations; mutable while the emulator runs. */
export interface AsyncBehaviour {
  /** Status polls answered IN_PROGRESS before a request completes. */
  asyncPolls: number;
  failAssignment?: (request: AssignmentRequestView) => string | undefined;
  failProvisioning?: (request: ProvisioningRequestView) => string | undefined;
}

/**
 * Who a request comes from, for IAM Identity Center: the management account that holds the organization
 * instance, or the member account registered as its delegated administrator.
 */
export type IdentityCenterCaller = "managementAccount" | "delegatedAdministrator";

type AsyncKind = "creation" | "deletion" | "provisioning";

interface AsyncRequest {
  kind: AsyncKind;
  requestId: string;
  status: "IN_PROGRESS" | "SUCCEEDED" | "FAILED";
  failureReason?: string;
  pollsLeft: number;
  createdDate: number;
  /** The fields echoed in the status object. */
  view: Record<string, unknown>;
  /** A provisioning's permission set and the accounts whose roles it updates. */
  provisioning?: { permissionSetArn: string; accountIds: string[] };
  /** Applies the effect; returns a FailureReason to fail instead. */
  complete: () => string | undefined;
}

const pageRules = (scope: string) => ({ max: 100, default: 100, scope });
const sessionDurationPattern = /^PT(?:([1-9]|1[0-2])H)?(?:([0-5]?\d)M)?$/;

function notFound(message: string): AwsApiError {
  return new AwsApiError("ResourceNotFoundException", message);
}

export function ssoAdminHandlers(
  store: EmulatorStore,
  behaviour: AsyncBehaviour,
  caller: () => IdentityCenterCaller = () => "managementAccount",
): Record<string, Handler> {
  const requests = new Map<string, AsyncRequest>();

  const checkInstance = (input: Input): void => {
    const arn = constrained(requireString(input, "InstanceArn"), "instanceArn", instanceArnConstraint);
    if (arn !== store.identity.instanceArn) throw notFound(`Instance ${arn} does not exist`);
  };
  /** An AWS managed policy ARN, which names a policy only in the instance's own partition. */
  const managedPolicyArn = (value: unknown, field: string): string => {
    const arn = constrained(value, field, managedPolicyArnConstraint);
    // The stricter reading where the references are silent: a policy of another partition does not exist
    // for this instance (arn:aws:iam::aws:policy/X is not a GovCloud or China policy).
    if (partitionOf(arn) !== partitionOf(store.identity.instanceArn))
      throw validation(`${arn} is not a policy of the partition ${partitionOf(store.identity.instanceArn)}`);
    return arn;
  };
  const checkTags = (tags: Input[]): void => {
    tags.forEach((tag, index) => {
      constrained(tag.Key, `tags.${index + 1}.member.key`, tagKeyConstraint);
      constrained(tag.Value ?? "", `tags.${index + 1}.member.value`, tagValueConstraint);
    });
  };
  const permissionSet = (input: Input): StoredPermissionSet => {
    const arn = requireString(input, "PermissionSetArn");
    const found = store.permissionSets.get(arn);
    if (!found) throw notFound(`Could not find PermissionSet with ARN ${arn}`);
    return found;
  };
  // Quotas page (singlesignon/latest/userguide/limits.html), AWS account quotas: "Number of IAM roles
  // (permission sets) in the AWS account that can be updated at a time: 1"; and the API reference's
  // ConflictException: "Occurs when a conflict with a previous successful write is detected ... A retry
  // (with appropriate backoff logic) is the recommended response to this exception." So while a
  // ProvisionPermissionSet request is IN_PROGRESS, a write to that permission set's definition, and
  // another provisioning into one of the accounts it is updating, answer ConflictException. The page says
  // nothing of the permission set's own definition; refusing writes to it meanwhile is the stricter
  // reading. CreateAccountAssignment has its own quota (outstanding requests), so assignment requests
  // are not counted as role updates here.
  const provisioningsInProgress = () =>
    [...requests.values()].flatMap((request) =>
      request.status === "IN_PROGRESS" && request.provisioning ? [request.provisioning] : [],
    );
  const conflictWhileProvisioning = (what: string): AwsApiError =>
    new AwsApiError(
      "ConflictException",
      `${what}: another operation is in progress. Retry the request with backoff.`,
    );
  /** The permission set a write names, refused while a provisioning of it is in progress. */
  const writablePermissionSet = (input: Input): StoredPermissionSet => {
    const target = permissionSet(input);
    if (provisioningsInProgress().some((running) => running.permissionSetArn === target.arn)) {
      throw conflictWhileProvisioning(`PermissionSet ${target.arn} is being provisioned`);
    }
    return target;
  };
  // CreateAccountAssignment (API reference): "If the permission set is subsequently updated, the
  // corresponding IAM policies attached to roles in your accounts will not be updated automatically. In
  // this case, you must call ProvisionPermissionSet to make these updates." Until then the accounts are
  // LATEST_PERMISSION_SET_NOT_PROVISIONED (ListAccountsForProvisionedPermissionSet's ProvisioningStatus).
  /** After a change to what the permission set grants: every account it is provisioned to is outdated. */
  const changed = (target: StoredPermissionSet): Record<string, never> => {
    for (const accountId of target.provisionedAccountIds) target.outdatedAccountIds.add(accountId);
    return {};
  };
  // Accounts of the organization that are not ACTIVE (SUSPENDED, PENDING_CLOSURE): Organizations'
  // CloseAccount reference, "Resources remaining within the account after closing ... won't be available
  // unless you contact AWS Support to reopen the account", so Identity Center cannot reach the account's
  // IAM roles. Users report the asynchronous request FAILED with this reason
  // (aws-samples/aws-identitycenter-codepipeline-auto-assignment#31: provisioning to an account that
  // "went into suspended state"). The API reference says nothing of assignments there; the emulator
  // fails their creation and deletion the same way (the stricter reading), and a provisioning to
  // ALL_PROVISIONED_ACCOUNTS that includes such an account fails whole.
  const unreachable = (accountId: string): string | undefined => {
    const status = store.organization?.accounts.get(accountId)?.status;
    if (status === undefined || status === "ACTIVE") return undefined;
    return `AWS SSO is unable to complete your request at this time. Obtaining permissions to manage your AWS account '${accountId}' takes longer than usual. Please try again in a few minutes. If this problem continues, contact AWS Support.`;
  };
  const policyCount = (target: StoredPermissionSet): number =>
    target.managedPolicyArns.length + target.customerManaged.length;

  const start = (
    request: Omit<AsyncRequest, "requestId" | "status" | "pollsLeft" | "createdDate">,
  ): AsyncRequest => {
    const started: AsyncRequest = {
      ...request,
      requestId: randomUUID(),
      status: "IN_PROGRESS",
      pollsLeft: behaviour.asyncPolls,
      createdDate: epochSeconds(),
    };
    requests.set(started.requestId, started);
    return started;
  };
  const statusOf = (request: AsyncRequest): Record<string, unknown> => ({
    Status: request.status,
    RequestId: request.requestId,
    ...(request.failureReason !== undefined ? { FailureReason: request.failureReason } : {}),
    ...request.view,
    CreatedDate: request.createdDate,
  });
  const poll = (kind: AsyncKind, requestId: string): Record<string, unknown> => {
    const request = requests.get(requestId);
    if (!request || request.kind !== kind) throw notFound(`Request ${requestId} does not exist`);
    if (request.status === "IN_PROGRESS") {
      if (request.pollsLeft > 0) {
        request.pollsLeft -= 1;
      } else {
        const failure = request.complete();
        if (failure === undefined) request.status = "SUCCEEDED";
        else {
          request.status = "FAILED";
          request.failureReason = failure;
        }
      }
    }
    return statusOf(request);
  };

  const assignmentRequest = (
    input: Input,
    operation: "create" | "delete",
  ): StoredAssignment & { name: string } => {
    checkInstance(input);
    const targetId = requireString(input, "TargetId");
    if (!/^\d{12}$/.test(targetId)) throw validation(`TargetId ${targetId} is not a 12-digit account id`);
    if (requireString(input, "TargetType") !== "AWS_ACCOUNT")
      throw validation("TargetType must be AWS_ACCOUNT");
    const target = permissionSet(input);
    const principalType = requireString(input, "PrincipalType");
    if (principalType !== "USER" && principalType !== "GROUP")
      throw validation("PrincipalType must be USER or GROUP");
    const principalId = requireString(input, "PrincipalId");
    const name = store.principalName(principalType, principalId);
    if (operation === "create" && name === undefined) {
      throw notFound(`${principalType === "USER" ? "User" : "Group"} ${principalId} does not exist`);
    }
    return {
      accountId: targetId,
      permissionSetArn: target.arn,
      principalType,
      principalId,
      name: name ?? principalId,
    };
  };
  /** Other groups assigned the same permission set in the same account. */
  const groupsInSlot = (assignment: StoredAssignment): number =>
    [...store.assignments.values()].filter(
      (other) =>
        other.principalType === "GROUP" &&
        other.permissionSetArn === assignment.permissionSetArn &&
        other.accountId === assignment.accountId &&
        other.principalId !== assignment.principalId,
    ).length;
  const assignmentView = (assignment: StoredAssignment): Record<string, unknown> => ({
    TargetId: assignment.accountId,
    TargetType: "AWS_ACCOUNT",
    PermissionSetArn: assignment.permissionSetArn,
    PrincipalType: assignment.principalType,
    PrincipalId: assignment.principalId,
  });

  return {
    ListInstances() {
      throw new Error("ListInstances is answered by the emulator itself");
    },

    CreatePermissionSet(input) {
      checkInstance(input);
      const name = requireString(input, "Name");
      if (!/^[\w+=,.@-]{1,32}$/.test(name)) throw validation(`Name ${name} must match [\\w+=,.@-]{1,32}`);
      if (store.permissionSetByName(name))
        throw new AwsApiError("ConflictException", `PermissionSet ${name} already exists`);
      const sessionDuration = optionalString(input, "SessionDuration") ?? "PT1H";
      if (!sessionDurationPattern.test(sessionDuration))
        throw validation(`SessionDuration ${sessionDuration} is invalid`);
      const tags = Array.isArray(input.Tags) ? (input.Tags as Input[]) : [];
      if (tags.length > 50) throw validation("At most 50 tags");
      checkTags(tags);
      const description = optionalConstrained(
        input.Description,
        "description",
        permissionSetDescriptionConstraint,
      );
      const relayState = optionalConstrained(input.RelayState, "relayState", relayStateConstraint);
      const created: StoredPermissionSet = {
        arn: store.newPermissionSetArn(),
        name,
        ...(description !== undefined ? { description } : {}),
        sessionDuration,
        ...(relayState !== undefined ? { relayState } : {}),
        createdDate: epochSeconds(),
        managedPolicyArns: [],
        customerManaged: [],
        tags: new Map(tags.map((tag) => [String(tag.Key), String(tag.Value ?? "")])),
        provisionedAccountIds: new Set(),
        outdatedAccountIds: new Set(),
      };
      store.permissionSets.set(created.arn, created);
      return { PermissionSet: describe(created) };
    },

    DeletePermissionSet(input) {
      checkInstance(input);
      const target = writablePermissionSet(input);
      // IAM Identity Center user guide, "Delete permission sets": "Before you can delete a permission set
      // from IAM Identity Center, you must remove it from all AWS accounts that use the permission set."
      // The API answers ConflictException while an assignment uses it (terraform-provider-aws#26757:
      // "ConflictException: Could not delete because PermissionSet has ApplicationProfile associated
      // with it"; aws-samples/aws-iam-identity-center-extensions#89: "AWS SSO admin API does not allow
      // deleting a permission set that already has account assignments"). An assignment whose deletion
      // is still IN_PROGRESS still exists here, so deleting too early is refused as well (the stricter
      // reading; the same PR reports the race).
      const inUse = [...store.assignments.values()].filter(
        (assignment) => assignment.permissionSetArn === target.arn,
      );
      if (inUse.length > 0) {
        throw new AwsApiError(
          "ConflictException",
          `Could not delete because PermissionSet has ApplicationProfile associated with it (${inUse.length} account assignment${inUse.length === 1 ? "" : "s"})`,
        );
      }
      // No assignment left: the accounts it was provisioned to go with it.
      store.permissionSets.delete(target.arn);
      return {};
    },

    DescribePermissionSet(input) {
      checkInstance(input);
      return { PermissionSet: describe(permissionSet(input)) };
    },

    ListPermissionSets(input) {
      checkInstance(input);
      const { page, nextToken } = paginate(
        [...store.permissionSets.keys()],
        input,
        pageRules("ListPermissionSets"),
      );
      return { PermissionSets: page, NextToken: nextToken };
    },

    UpdatePermissionSet(input) {
      checkInstance(input);
      const target = writablePermissionSet(input);
      const sessionDuration = optionalString(input, "SessionDuration");
      if (sessionDuration !== undefined) {
        if (!sessionDurationPattern.test(sessionDuration))
          throw validation(`SessionDuration ${sessionDuration} is invalid`);
        target.sessionDuration = sessionDuration;
      }
      const description = optionalConstrained(
        input.Description,
        "description",
        permissionSetDescriptionConstraint,
      );
      if (description !== undefined) target.description = description;
      const relayState = optionalConstrained(input.RelayState, "relayState", relayStateConstraint);
      if (relayState !== undefined) target.relayState = relayState;
      return changed(target);
    },

    AttachManagedPolicyToPermissionSet(input) {
      checkInstance(input);
      const target = writablePermissionSet(input);
      const policyArn = managedPolicyArn(input.ManagedPolicyArn, "managedPolicyArn");
      if (target.managedPolicyArns.includes(policyArn)) {
        throw new AwsApiError("ConflictException", `Policy ${policyArn} is already attached`);
      }
      if (policyCount(target) >= policiesPerPermissionSet) {
        throw serviceQuotaExceeded(
          `A permission set holds at most ${policiesPerPermissionSet} AWS managed and customer managed policies`,
        );
      }
      target.managedPolicyArns.push(policyArn);
      return changed(target);
    },

    DetachManagedPolicyFromPermissionSet(input) {
      checkInstance(input);
      const target = writablePermissionSet(input);
      const policyArn = requireString(input, "ManagedPolicyArn");
      if (!target.managedPolicyArns.includes(policyArn))
        throw notFound(`Policy ${policyArn} is not attached`);
      target.managedPolicyArns = target.managedPolicyArns.filter((arn) => arn !== policyArn);
      return changed(target);
    },

    ListManagedPoliciesInPermissionSet(input) {
      checkInstance(input);
      const target = permissionSet(input);
      const { page, nextToken } = paginate(
        target.managedPolicyArns,
        input,
        pageRules(`ListManaged:${target.arn}`),
      );
      return {
        AttachedManagedPolicies: page.map((arn) => ({ Arn: arn, Name: arn.split("/").at(-1) })),
        NextToken: nextToken,
      };
    },

    AttachCustomerManagedPolicyReferenceToPermissionSet(input) {
      checkInstance(input);
      const target = writablePermissionSet(input);
      const reference = customerReference(input);
      if (
        target.customerManaged.some((entry) => entry.Name === reference.Name && entry.Path === reference.Path)
      ) {
        throw new AwsApiError(
          "ConflictException",
          `Customer managed policy ${reference.Name} is already attached`,
        );
      }
      if (policyCount(target) >= policiesPerPermissionSet) {
        throw serviceQuotaExceeded(
          `A permission set holds at most ${policiesPerPermissionSet} AWS managed and customer managed policies`,
        );
      }
      target.customerManaged.push(reference);
      return changed(target);
    },

    DetachCustomerManagedPolicyReferenceFromPermissionSet(input) {
      checkInstance(input);
      const target = writablePermissionSet(input);
      const reference = customerReference(input);
      const before = target.customerManaged.length;
      target.customerManaged = target.customerManaged.filter(
        (entry) => !(entry.Name === reference.Name && entry.Path === reference.Path),
      );
      if (target.customerManaged.length === before)
        throw notFound(`Customer managed policy ${reference.Name} is not attached`);
      return changed(target);
    },

    ListCustomerManagedPolicyReferencesInPermissionSet(input) {
      checkInstance(input);
      const target = permissionSet(input);
      const { page, nextToken } = paginate(
        target.customerManaged,
        input,
        pageRules(`ListCustomer:${target.arn}`),
      );
      return { CustomerManagedPolicyReferences: page, NextToken: nextToken };
    },

    PutInlinePolicyToPermissionSet(input) {
      checkInstance(input);
      const target = writablePermissionSet(input);
      const policy = constrained(input.InlinePolicy, "inlinePolicy", inlinePolicyConstraint);
      if (nonWhitespaceBytes(policy) > inlinePolicyNonWhitespaceBytes)
        throw validation(
          `The inline policy has ${nonWhitespaceBytes(policy)} bytes that are not white space; at most ${inlinePolicyNonWhitespaceBytes} are allowed`,
        );
      let parsed: unknown;
      try {
        parsed = JSON.parse(policy);
      } catch {
        throw validation("The policy document is not valid JSON");
      }
      // AWS hands the document back reformatted, not byte for byte as sent.
      target.inlinePolicy = JSON.stringify(parsed, null, 4);
      return changed(target);
    },

    GetInlinePolicyForPermissionSet(input) {
      checkInstance(input);
      return { InlinePolicy: permissionSet(input).inlinePolicy ?? "" };
    },

    DeleteInlinePolicyFromPermissionSet(input) {
      checkInstance(input);
      const target = writablePermissionSet(input);
      delete target.inlinePolicy;
      return changed(target);
    },

    PutPermissionsBoundaryToPermissionSet(input) {
      checkInstance(input);
      const target = writablePermissionSet(input);
      const boundary = input.PermissionsBoundary as Input | undefined;
      if (typeof boundary?.ManagedPolicyArn === "string") {
        target.boundary = {
          ManagedPolicyArn: managedPolicyArn(
            boundary.ManagedPolicyArn,
            "permissionsBoundary.managedPolicyArn",
          ),
        };
      } else if (boundary?.CustomerManagedPolicyReference) {
        target.boundary = { CustomerManagedPolicyReference: customerReference(boundary) };
      } else {
        throw validation("PermissionsBoundary needs a ManagedPolicyArn or a CustomerManagedPolicyReference");
      }
      return changed(target);
    },

    GetPermissionsBoundaryForPermissionSet(input) {
      checkInstance(input);
      const target = permissionSet(input);
      if (!target.boundary) throw notFound(`No permissions boundary on ${target.arn}`);
      return { PermissionsBoundary: target.boundary };
    },

    DeletePermissionsBoundaryFromPermissionSet(input) {
      checkInstance(input);
      const target = writablePermissionSet(input);
      if (!target.boundary) throw notFound(`No permissions boundary on ${target.arn}`);
      delete target.boundary;
      return changed(target);
    },

    ListTagsForResource(input) {
      checkInstance(input);
      const target = permissionSet({ ...input, PermissionSetArn: requireString(input, "ResourceArn") });
      const tags = [...target.tags].map(([Key, Value]) => ({ Key, Value }));
      const { page, nextToken } = paginate(tags, input, {
        max: 50,
        default: 50,
        scope: `Tags:${target.arn}`,
      });
      return { Tags: page, NextToken: nextToken };
    },

    TagResource(input) {
      checkInstance(input);
      const target = permissionSet({ ...input, PermissionSetArn: requireString(input, "ResourceArn") });
      const tags = Array.isArray(input.Tags) ? (input.Tags as Input[]) : [];
      if (tags.length === 0) throw validation("Tags must not be empty");
      checkTags(tags);
      for (const tag of tags) target.tags.set(String(tag.Key), String(tag.Value ?? ""));
      if (target.tags.size > 50) throw validation("At most 50 tags");
      return {};
    },

    UntagResource(input) {
      checkInstance(input);
      const target = permissionSet({ ...input, PermissionSetArn: requireString(input, "ResourceArn") });
      const keys = Array.isArray(input.TagKeys) ? input.TagKeys : [];
      if (keys.length === 0) throw validation("TagKeys must not be empty");
      for (const key of keys) target.tags.delete(String(key));
      return {};
    },

    ListAccountsForProvisionedPermissionSet(input) {
      checkInstance(input);
      const target = permissionSet(input);
      // ProvisioningStatus: "The permission set provisioning status for an AWS account." Valid values:
      // LATEST_PERMISSION_SET_PROVISIONED | LATEST_PERMISSION_SET_NOT_PROVISIONED; absent lists them all.
      const status = optionalString(input, "ProvisioningStatus");
      const accounts = [...target.provisionedAccountIds].filter((accountId) => {
        if (status === undefined) return true;
        if (status === "LATEST_PERMISSION_SET_PROVISIONED") return !target.outdatedAccountIds.has(accountId);
        if (status === "LATEST_PERMISSION_SET_NOT_PROVISIONED")
          return target.outdatedAccountIds.has(accountId);
        throw validation(
          `ProvisioningStatus must be LATEST_PERMISSION_SET_PROVISIONED or LATEST_PERMISSION_SET_NOT_PROVISIONED, got ${status}`,
        );
      });
      const { page, nextToken } = paginate(
        accounts.sort(),
        input,
        pageRules(`Provisioned:${target.arn}:${status ?? "all"}`),
      );
      return { AccountIds: page, NextToken: nextToken };
    },

    ProvisionPermissionSet(input) {
      checkInstance(input);
      // Provisioning the same permission set into other accounts at once is what the quota of 3
      // concurrent provisionings is for; only the accounts' roles are one at a time.
      const target = permissionSet(input);
      const targetType = requireString(input, "TargetType");
      const accountId = optionalString(input, "TargetId");
      if (targetType === "AWS_ACCOUNT") {
        if (accountId === undefined || !/^\d{12}$/.test(accountId))
          throw validation("TargetId must be an account id");
      } else if (targetType !== "ALL_PROVISIONED_ACCOUNTS") {
        throw validation("TargetType must be AWS_ACCOUNT or ALL_PROVISIONED_ACCOUNTS");
      }
      const accountIds =
        targetType === "AWS_ACCOUNT" && accountId !== undefined
          ? [accountId]
          : [...target.provisionedAccountIds].sort();
      const busy = accountIds.find((account) =>
        provisioningsInProgress().some((running) => running.accountIds.includes(account)),
      );
      if (busy !== undefined)
        throw conflictWhileProvisioning(`A permission set is being provisioned to ${busy}`);
      const request = start({
        kind: "provisioning",
        provisioning: { permissionSetArn: target.arn, accountIds },
        view: { PermissionSetArn: target.arn, ...(accountId !== undefined ? { AccountId: accountId } : {}) },
        complete: () => {
          const reason = behaviour.failProvisioning?.({
            permissionSetName: target.name,
            ...(accountId !== undefined && targetType === "AWS_ACCOUNT" ? { accountId } : {}),
          });
          if (reason !== undefined) return reason;
          for (const account of accountIds) {
            const refused = unreachable(account);
            if (refused !== undefined) return refused;
          }
          // The accounts it reached run the latest version now.
          for (const account of accountIds) {
            target.provisionedAccountIds.add(account);
            target.outdatedAccountIds.delete(account);
          }
          return undefined;
        },
      });
      return { PermissionSetProvisioningStatus: statusOf(request) };
    },

    DescribePermissionSetProvisioningStatus(input) {
      checkInstance(input);
      const requestId = requireString(input, "ProvisionPermissionSetRequestId");
      return { PermissionSetProvisioningStatus: poll("provisioning", requestId) };
    },

    CreateAccountAssignment(input) {
      const { name, ...assignment } = assignmentRequest(input, "create");
      const target = store.permissionSets.get(assignment.permissionSetArn)!;
      if (
        assignment.principalType === "GROUP" &&
        groupsInSlot(assignment) >= groupsPerPermissionSetPerAccount
      )
        throw serviceQuotaExceeded(
          `At most ${groupsPerPermissionSetPerAccount} groups can be assigned ${target.name} in account ${assignment.accountId}`,
        );
      const request = start({
        kind: "creation",
        view: assignmentView(assignment),
        complete: () => {
          const reason = behaviour.failAssignment?.({
            operation: "create",
            accountId: assignment.accountId,
            permissionSetName: target.name,
            principalType: assignment.principalType,
            principalName: name,
          });
          if (reason !== undefined) return reason;
          const refused = unreachable(assignment.accountId);
          if (refused !== undefined) return refused;
          // Creating an assignment that exists already is not an error: the request just succeeds.
          store.assignments.set(assignmentKey(assignment), assignment);
          // "As part of a successful CreateAccountAssignment call, the specified permission set will
          // automatically be provisioned to the account": an account new to it gets the current version;
          // one that already had it keeps the version it runs until ProvisionPermissionSet.
          target.provisionedAccountIds.add(assignment.accountId);
          return undefined;
        },
      });
      return { AccountAssignmentCreationStatus: statusOf(request) };
    },

    DescribeAccountAssignmentCreationStatus(input) {
      checkInstance(input);
      const requestId = requireString(input, "AccountAssignmentCreationRequestId");
      return { AccountAssignmentCreationStatus: poll("creation", requestId) };
    },

    DeleteAccountAssignment(input) {
      const { name, ...assignment } = assignmentRequest(input, "delete");
      if (!store.assignments.has(assignmentKey(assignment))) {
        throw notFound("The account assignment does not exist");
      }
      const target = store.permissionSets.get(assignment.permissionSetArn)!;
      const request = start({
        kind: "deletion",
        view: assignmentView(assignment),
        complete: () => {
          const reason = behaviour.failAssignment?.({
            operation: "delete",
            accountId: assignment.accountId,
            permissionSetName: target.name,
            principalType: assignment.principalType,
            principalName: name,
          });
          if (reason !== undefined) return reason;
          const refused = unreachable(assignment.accountId);
          if (refused !== undefined) return refused;
          store.assignments.delete(assignmentKey(assignment));
          return undefined;
        },
      });
      return { AccountAssignmentDeletionStatus: statusOf(request) };
    },

    DescribeAccountAssignmentDeletionStatus(input) {
      checkInstance(input);
      const requestId = requireString(input, "AccountAssignmentDeletionRequestId");
      return { AccountAssignmentDeletionStatus: poll("deletion", requestId) };
    },

    ListAccountAssignments(input) {
      checkInstance(input);
      const accountId = requireString(input, "AccountId");
      const target = permissionSet(input);
      const all = [...store.assignments.values()].filter(
        (assignment) => assignment.accountId === accountId && assignment.permissionSetArn === target.arn,
      );
      const { page, nextToken } = paginate(all, input, pageRules(`ForAccount:${accountId}:${target.arn}`));
      return {
        AccountAssignments: page.map((assignment) => ({
          AccountId: assignment.accountId,
          PermissionSetArn: assignment.permissionSetArn,
          PrincipalType: assignment.principalType,
          PrincipalId: assignment.principalId,
        })),
        NextToken: nextToken,
      };
    },

    ListAccountAssignmentsForPrincipal(input) {
      checkInstance(input);
      // API_ListAccountAssignmentsForPrincipal: "This action must be called from the management account
      // containing your organization instance of IAM Identity Center." The page does not say what a
      // delegated administrator gets; of the errors it lists, AccessDeniedException ("You do not have
      // sufficient access to perform this action.") is the one that fits, and a refusal is the stricter
      // reading (an empty list would pass for "no assignments").
      if (caller() === "delegatedAdministrator") {
        throw new AwsApiError(
          "AccessDeniedException",
          "You do not have sufficient access to perform this action. ListAccountAssignmentsForPrincipal must be called from the management account.",
        );
      }
      const principalType = requireString(input, "PrincipalType");
      const principalId = requireString(input, "PrincipalId");
      const filterAccount = (input.Filter as Input | undefined)?.AccountId;
      const all = [...store.assignments.values()].filter(
        (assignment) =>
          assignment.principalType === principalType &&
          assignment.principalId === principalId &&
          (filterAccount === undefined || assignment.accountId === filterAccount),
      );
      const { page, nextToken } = paginate(
        all,
        input,
        pageRules(`ForPrincipal:${principalType}:${principalId}`),
      );
      return {
        AccountAssignments: page.map((assignment) => ({
          AccountId: assignment.accountId,
          PermissionSetArn: assignment.permissionSetArn,
          PrincipalType: assignment.principalType,
          PrincipalId: assignment.principalId,
        })),
        NextToken: nextToken,
      };
    },
  };
}

function describe(permissionSet: StoredPermissionSet): Record<string, unknown> {
  return {
    Name: permissionSet.name,
    PermissionSetArn: permissionSet.arn,
    Description: permissionSet.description,
    CreatedDate: permissionSet.createdDate,
    SessionDuration: permissionSet.sessionDuration,
    RelayState: permissionSet.relayState,
  };
}

function customerReference(input: Input): { Name: string; Path: string } {
  const reference = input.CustomerManagedPolicyReference as Input | undefined;
  if (!reference || typeof reference.Name !== "string" || reference.Name === "") {
    throw validation("CustomerManagedPolicyReference.Name is required");
  }
  const path = typeof reference.Path === "string" && reference.Path !== "" ? reference.Path : "/";
  return { Name: reference.Name, Path: path };
}
