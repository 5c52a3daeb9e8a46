import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRules } from "../../../src/adapters/file/rules-file.js";
import { buildLivePorts } from "../../../src/app/live-ports.js";
import type { Rules } from "../../../src/mapping/index.js";

const root = resolve(import.meta.dirname, "../../..");

describe("the live ports", () => {
  const rulesNamingTheInstance = async (): Promise<Rules> => {
    const loaded = await loadRules(join(root, "examples/rules.yaml"));
    if (!loaded.ok) throw new Error("the example rules should load");
    // Naming the instance keeps the AWS adapter from calling ListInstances while it is built.
    return {
      ...loaded.rules,
      identityCenter: {
        instanceArn: "arn:aws:sso:::instance/ssoins-0123456789abcdef",
        identityStoreId: "d-0123456789",
      },
    };
  };
  const awsEnv = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test" };

  it("never reads the secret when a local Google access token is set", async () => {
    const rules = await rulesNamingTheInstance();
    const neverRead = async () => {
      throw new Error("the secret must not be read for a local run");
    };

    const ports = await buildLivePorts(
      rules,
      { ...awsEnv, IDC_SYNC_GOOGLE_ROOT_URL: "http://127.0.0.1:1/", IDC_SYNC_GOOGLE_ACCESS_TOKEN: "local" },
      neverRead,
    );

    expect(Object.keys(ports).sort()).toEqual(["accounts", "directory", "identityCenter"]);
  });

  it("builds the Google source from the secret's key and admin when deployed", async () => {
    const rules = await rulesNamingTheInstance();
    let reads = 0;
    const fromSecret = async () => {
      reads += 1;
      return {
        key: { client_email: "idc-sync@project.iam.gserviceaccount.com", private_key: "not-a-real-key" },
        adminEmail: "admin@example.com",
      };
    };

    await buildLivePorts(rules, awsEnv, fromSecret);

    expect(reads).toBe(1);
  });
});
