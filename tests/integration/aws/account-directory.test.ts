import { afterEach, describe, expect, it } from "vitest";
import { AccountDirectoryReadError } from "../../../src/adapters/errors.js";
import type { SnapshotOrganization } from "../../../src/adapters/file/directory-snapshot.js";
import { anOrganization, type Harness, startHarness } from "./harness.js";

describe("listing AWS accounts through Organizations", () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  it("gives every account its OU ancestry from the root, its tags and its status", async () => {
    harness = await startHarness({ organization: anOrganization() });

    const accounts = await harness.accounts.listAccounts();

    expect(accounts).toEqual([
      {
        id: "111111111111",
        name: "management",
        status: "ACTIVE",
        parentId: "r-ab12",
        ancestorIds: ["r-ab12"],
        tags: {},
      },
      {
        id: "222222222222",
        name: "dev",
        status: "ACTIVE",
        parentId: "ou-ab12-11111111",
        ancestorIds: ["r-ab12", "ou-ab12-11111111"],
        tags: { product: "kaigodx" },
      },
      {
        id: "333333333333",
        name: "prod",
        status: "ACTIVE",
        parentId: "ou-ab12-22222222",
        ancestorIds: ["r-ab12", "ou-ab12-11111111", "ou-ab12-22222222"],
        tags: { product: "kaigodx" },
      },
      {
        id: "444444444444",
        name: "old",
        status: "SUSPENDED",
        parentId: "ou-ab12-33333333",
        ancestorIds: ["r-ab12", "ou-ab12-33333333"],
        tags: {},
      },
    ]);
    expect(harness.emulator.counts().writes).toBe(0);
  });

  it("pages through OUs holding more than 20 accounts", async () => {
    const organization: SnapshotOrganization = {
      rootId: "r-ab12",
      organizationalUnits: [{ id: "ou-ab12-11111111", name: "Many", parentId: "r-ab12" }],
      accounts: Array.from({ length: 45 }, (_, index) => ({
        id: String(100000000000 + index),
        name: `account-${index}`,
        status: "ACTIVE" as const,
        parentId: "ou-ab12-11111111",
        tags: { index: String(index) },
      })),
    };
    harness = await startHarness({ organization });

    const accounts = await harness.accounts.listAccounts();

    expect(accounts).toHaveLength(45);
    expect(accounts[44]?.tags).toEqual({ index: "44" });
    expect(harness.emulator.count("organizations", "ListAccountsForParent")).toBe(1 + 3);
    expect(harness.emulator.count("organizations", "ListTagsForResource")).toBe(45);
  });

  it("sees an account moved into another OU with the new ancestry", async () => {
    harness = await startHarness({ organization: anOrganization() });
    const { OrganizationsClient, MoveAccountCommand } = await import("@aws-sdk/client-organizations");
    const client = new OrganizationsClient({
      endpoint: harness.emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator-secret" },
    });

    await client.send(
      new MoveAccountCommand({
        AccountId: "111111111111",
        SourceParentId: "r-ab12",
        DestinationParentId: "ou-ab12-22222222",
      }),
    );
    const moved = (await harness.accounts.listAccounts()).find((account) => account.id === "111111111111");
    client.destroy();

    expect(moved?.ancestorIds).toEqual(["r-ab12", "ou-ab12-11111111", "ou-ab12-22222222"]);
  });

  it("recovers from TooManyRequestsException", async () => {
    harness = await startHarness({ organization: anOrganization() });
    harness.emulator.faults.throttleNext(3, { service: "organizations" });

    const accounts = await harness.accounts.listAccounts();

    expect(accounts).toHaveLength(4);
    expect(harness.emulator.counts().throttled).toBe(3);
  });

  it("fails as a whole, never with a partial list, when Organizations is not in use", async () => {
    harness = await startHarness();

    const listing = harness.accounts.listAccounts();

    await expect(listing).rejects.toBeInstanceOf(AccountDirectoryReadError);
    await expect(listing).rejects.toThrow(/not a member of an organization/);
  });
});
