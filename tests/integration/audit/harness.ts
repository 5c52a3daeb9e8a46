/**
 * The real STS, IAM and CloudTrail clients pointed at the local IAM emulator by endpoint, with the
 * seeded organisation. Nothing here touches process.env.
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import {
  type AccountClientFactory,
  AwsIamInventory,
  type AwsIamInventoryOptions,
} from "../../../src/adapters/aws-iam/index.js";
import {
  type IamEmulator,
  type IamEmulatorOptions,
  startIamEmulator,
} from "../../emulators/aws/iam/iam-emulator.js";
import { seedAccountIds, seedAccounts } from "../../emulators/aws/iam/seed.js";

export const now = new Date("2025-06-30T12:00:00Z");

/** Sleeps a real millisecond at most, so backoff and polling cost no wall-clock time. */
export const quickSleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.min(milliseconds, 1)));

const callerCredentials = { accessKeyId: "AKIAEMULATORAUDITOR1", secretAccessKey: "emulator" };

export function clientsFor(url: string): { sts: STSClient; clients: AccountClientFactory; destroy(): void } {
  const made: { destroy(): void }[] = [];
  const track = <T extends { destroy(): void }>(client: T): T => {
    made.push(client);
    return client;
  };
  const sts = track(
    new STSClient({ endpoint: url, region: "us-east-1", credentials: callerCredentials, maxAttempts: 1 }),
  );
  return {
    sts,
    clients: {
      iam: (credentials) =>
        track(
          new IAMClient({
            endpoint: url,
            region: "us-east-1",
            credentials: credentials ?? callerCredentials,
            maxAttempts: 1,
          }),
        ),
      cloudTrail: (credentials, region) =>
        track(
          new CloudTrailClient({
            endpoint: url,
            region,
            credentials: credentials ?? callerCredentials,
            maxAttempts: 1,
          }),
        ),
    },
    destroy: () => {
      for (const client of made) client.destroy();
    },
  };
}

export interface AuditHarness {
  emulator: IamEmulator;
  inventory(overrides?: Partial<AwsIamInventoryOptions>): AwsIamInventory;
  close(): Promise<void>;
}

export async function startAuditHarness(options: Partial<IamEmulatorOptions> = {}): Promise<AuditHarness> {
  const emulator = await startIamEmulator({
    accounts: seedAccounts(now),
    homeAccountId: seedAccountIds.management,
    cloudTrailPerSecond: 0,
    ...options,
  });
  const clients = clientsFor(emulator.url);
  return {
    emulator,
    inventory: (overrides = {}) =>
      new AwsIamInventory({
        sts: clients.sts,
        clients: clients.clients,
        roleName: "idc-sync-audit",
        sleep: quickSleep,
        reportPollIntervalMs: 1,
        // The adapter's own limiters would wait real seconds; the test about rates sets its own clock.
        iamPerSecond: 10_000,
        cloudTrailPerSecond: 10_000,
        ...overrides,
      }),
    async close() {
      clients.destroy();
      await emulator.close();
    },
  };
}

export const seededAccounts = [
  { id: seedAccountIds.management, name: "management" },
  { id: seedAccountIds.dev, name: "dev" },
  { id: seedAccountIds.prod, name: "prod" },
  { id: seedAccountIds.legacy, name: "legacy" },
];
