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
  /** Applies the effect; returns a FailureReason to fail instead. */
  complete: () => string | undefined;
}

const pageRules = (scope: string) => ({ max: 100, default: 100, scope });
const sessionDurationPattern = /^PT(?:([1-9]|1[0-2])H)?(?:([0-5]?\d)M)?$/;

function notFound(message: string): AwsApiError {
  return new AwsApiError("ResourceNotFoundException", message);
}

export function ssoAdminHandlers(store: EmulatorStore, behaviour: AsyncBehaviour): Record<string, Handler> {
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
      };
      store.permissionSets.set(created.arn, created);
      return { PermissionSet: describe(created) };
    },

    DeletePermissionSet(input) {
      checkInstance(input);
      const target = permissionSet(input);
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
      const target = permissionSet(input);
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
      return {};
    },

    AttachManagedPolicyToPermissionSet(input) {
      checkInstance(input);
      const target = permissionSet(input);
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
      return {};
    },

    DetachManagedPolicyFromPermissionSet(input) {
      checkInstance(input);
      const target = permissionSet(input);
      const policyArn = requireString(input, "ManagedPolicyArn");
      if (!target.managedPolicyArns.includes(policyArn))
        throw notFound(`Policy ${policyArn} is not attached`);
      target.managedPolicyArns = target.managedPolicyArns.filter((arn) => arn !== policyArn);
      return {};
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
      const target = permissionSet(input);
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
      return {};
    },

    DetachCustomerManagedPolicyReferenceFromPermissionSet(input) {
      checkInstance(input);
      const target = permissionSet(input);
      const reference = customerReference(input);
      const before = target.customerManaged.length;
      target.customerManaged = target.customerManaged.filter(
        (entry) => !(entry.Name === reference.Name && entry.Path === reference.Path),
      );
      if (target.customerManaged.length === before)
        throw notFound(`Customer managed policy ${reference.Name} is not attached`);
      return {};
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
      const target = permissionSet(input);
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
      return {};
    },

    GetInlinePolicyForPermissionSet(input) {
      checkInstance(input);
      return { InlinePolicy: permissionSet(input).inlinePolicy ?? "" };
    },

    DeleteInlinePolicyFromPermissionSet(input) {
      checkInstance(input);
      delete permissionSet(input).inlinePolicy;
      return {};
    },

    PutPermissionsBoundaryToPermissionSet(input) {
      checkInstance(input);
      const target = permissionSet(input);
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
      return {};
    },

    GetPermissionsBoundaryForPermissionSet(input) {
      checkInstance(input);
      const target = permissionSet(input);
      if (!target.boundary) throw notFound(`No permissions boundary on ${target.arn}`);
      return { PermissionsBoundary: target.boundary };
    },

    DeletePermissionsBoundaryFromPermissionSet(input) {
      checkInstance(input);
      const target = permissionSet(input);
      if (!target.boundary) throw notFound(`No permissions boundary on ${target.arn}`);
      delete target.boundary;
      return {};
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
      const { page, nextToken } = paginate(
        [...target.provisionedAccountIds].sort(),
        input,
        pageRules(`Provisioned:${target.arn}`),
      );
      return { AccountIds: page, NextToken: nextToken };
    },

    ProvisionPermissionSet(input) {
      checkInstance(input);
      const target = permissionSet(input);
      const targetType = requireString(input, "TargetType");
      const accountId = optionalString(input, "TargetId");
      if (targetType === "AWS_ACCOUNT") {
        if (accountId === undefined || !/^\d{12}$/.test(accountId))
          throw validation("TargetId must be an account id");
      } else if (targetType !== "ALL_PROVISIONED_ACCOUNTS") {
        throw validation("TargetType must be AWS_ACCOUNT or ALL_PROVISIONED_ACCOUNTS");
      }
      const request = start({
        kind: "provisioning",
        view: { PermissionSetArn: target.arn, ...(accountId !== undefined ? { AccountId: accountId } : {}) },
        complete: () => {
          const reason = behaviour.failProvisioning?.({
            permissionSetName: target.name,
            ...(accountId !== undefined && targetType === "AWS_ACCOUNT" ? { accountId } : {}),
          });
          if (reason !== undefined) return reason;
          if (targetType === "AWS_ACCOUNT" && accountId !== undefined)
            target.provisionedAccountIds.add(accountId);
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
          // Creating an assignment that exists already is not an error: the request just succeeds.
          store.assignments.set(assignmentKey(assignment), assignment);
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
