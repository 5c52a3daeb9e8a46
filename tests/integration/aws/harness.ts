/**
 * Real SDK v3 clients pointed at the local AWS emulator, and small builders for scopes and states.
 * Nothing touches process.env: the endpoint and static credentials are client options.
 */
import { IdentitystoreClient } from "@aws-sdk/client-identitystore";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SSOAdminClient } from "@aws-sdk/client-sso-admin";
import { AwsAccountDirectory } from "../../../src/adapters/aws/aws-account-directory.js";
import type { AwsService } from "../../../src/adapters/aws/aws-caller.js";
import {
  AwsIdentityCenter,
  type AwsIdentityCenterOptions,
} from "../../../src/adapters/aws/aws-identity-center.js";
import { adapterClientConfig } from "../../../src/adapters/aws/client-config.js";
import type { SnapshotOrganization } from "../../../src/adapters/file/directory-snapshot.js";
import type {
  IcPermissionSet,
  IcUser,
  IdentityCenterState,
  PermissionSetAttributes,
  Scope,
  UserAttributes,
} from "../../../src/sync/model.js";
import { type AwsEmulator, type AwsEmulatorOptions, startAwsEmulator } from "../../emulators/aws/emulator.js";

const clientConfig = (url: string) => ({
  endpoint: url,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator-secret" },
  // As production builds them: the adapter owns retries, each request has a deadline covering its body.
  ...adapterClientConfig({ deadlineMs: 2_000 }),
});

export function clientsFor(emulator: AwsEmulator) {
  return {
    identityStore: new IdentitystoreClient(clientConfig(emulator.url)),
    ssoAdmin: new SSOAdminClient(clientConfig(emulator.url)),
    organizations: new OrganizationsClient(clientConfig(emulator.url)),
  };
}

/** Sleeps a real millisecond at most, so backoff and polling cost no wall-clock time in tests. */
export const quickSleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.min(milliseconds, 1)));

export interface Harness {
  emulator: AwsEmulator;
  identityCenter: AwsIdentityCenter;
  accounts: AwsAccountDirectory;
  /** Calls the adapter reported, per "service:Operation". */
  adapterCalls: Map<string, number>;
  /** A second adapter over the same emulator, as a new run would build it. */
  newIdentityCenter(options?: Partial<AwsIdentityCenterOptions>): AwsIdentityCenter;
  close(): Promise<void>;
}

export async function startHarness(
  options: AwsEmulatorOptions = {},
  adapterOptions: Partial<AwsIdentityCenterOptions> = {},
): Promise<Harness> {
  const emulator = await startAwsEmulator(options);
  const clients = clientsFor(emulator);
  const adapterCalls = new Map<string, number>();
  const onCall = (service: AwsService, operation: string): void => {
    const key = `${service}:${operation}`;
    adapterCalls.set(key, (adapterCalls.get(key) ?? 0) + 1);
  };
  const newIdentityCenter = (overrides: Partial<AwsIdentityCenterOptions> = {}): AwsIdentityCenter =>
    new AwsIdentityCenter({
      identityStore: clients.identityStore,
      ssoAdmin: clients.ssoAdmin,
      instanceArn: emulator.instanceArn,
      identityStoreId: emulator.identityStoreId,
      limits: { identityStorePerSecond: 10_000, ssoAdminPerSecond: 10_000 },
      sleep: quickSleep,
      pollIntervalMs: 1,
      pollDeadlineMs: 1_000,
      onCall,
      ...adapterOptions,
      ...overrides,
    });
  return {
    emulator,
    identityCenter: newIdentityCenter(),
    accounts: new AwsAccountDirectory({
      organizations: clients.organizations,
      limits: { organizationsPerSecond: 10_000 },
      sleep: quickSleep,
      onCall,
    }),
    adapterCalls,
    newIdentityCenter,
    async close() {
      clients.identityStore.destroy();
      clients.ssoAdmin.destroy();
      clients.organizations.destroy();
      await emulator.close();
    },
  };
}

export function aScope(overrides: Partial<Scope> = {}): Scope {
  return {
    domains: ["example.com"],
    staticUserNames: [],
    groupNames: [],
    permissionSetNames: [],
    protectedUserNames: [],
    protectedGroupNames: [],
    leavers: "delete",
    ...overrides,
  };
}

let nextUserId = 1;

/** A user of example.com by local part: aUser("alice") is alice@example.com. */
export function aUser(localPart: string, overrides: Partial<IcUser> = {}): IcUser {
  const given = localPart.charAt(0).toUpperCase() + localPart.slice(1);
  const id = `9067000000-${String(nextUserId++).padStart(8, "0")}-0000-4000-8000-000000000000`;
  return {
    id,
    userName: `${localPart}@example.com`,
    displayName: `${given} Example`,
    givenName: given,
    familyName: "Example",
    email: `${localPart}@example.com`,
    ...overrides,
  };
}

export function userAttributes(user: IcUser): UserAttributes {
  const { id: _id, ...attributes } = user;
  return attributes;
}

export function aPermissionSet(
  name: string,
  overrides: Partial<PermissionSetAttributes> = {},
): PermissionSetAttributes {
  return {
    name,
    sessionDuration: "PT8H",
    managedPolicyArns: [],
    customerManagedPolicies: [],
    tags: {},
    ...overrides,
  };
}

export function aStoredPermissionSet(
  name: string,
  overrides: Partial<IcPermissionSet> = {},
): IcPermissionSet {
  return {
    ...aPermissionSet(name),
    arn: `arn:aws:sso:::permissionSet/ssoins-72230000a1b2c3d4/ps-${name.toLowerCase().padEnd(16, "0").slice(0, 16)}`,
    provisionedAccountIds: [],
    ...overrides,
  };
}

export function anIdentityCenter(overrides: Partial<IdentityCenterState> = {}): IdentityCenterState {
  return { users: [], groups: [], permissionSets: [], assignments: [], ...overrides };
}

export function anOrganization(): SnapshotOrganization {
  return {
    rootId: "r-ab12",
    organizationalUnits: [
      { id: "ou-ab12-11111111", name: "Workloads", parentId: "r-ab12" },
      { id: "ou-ab12-22222222", name: "Production", parentId: "ou-ab12-11111111" },
      { id: "ou-ab12-33333333", name: "Sandbox", parentId: "r-ab12" },
    ],
    accounts: [
      { id: "111111111111", name: "management", status: "ACTIVE", parentId: "r-ab12", tags: {} },
      {
        id: "222222222222",
        name: "dev",
        status: "ACTIVE",
        parentId: "ou-ab12-11111111",
        tags: { product: "kaigodx" },
      },
      {
        id: "333333333333",
        name: "prod",
        status: "ACTIVE",
        parentId: "ou-ab12-22222222",
        tags: { product: "kaigodx" },
      },
      { id: "444444444444", name: "old", status: "SUSPENDED", parentId: "ou-ab12-33333333", tags: {} },
    ],
  };
}
