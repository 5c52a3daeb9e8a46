/**
 * Failures outside idc-sync (AWS unreachable, a folder that does not exist) end with one clear line
 * and the exit code of its kind (69 unavailable), as the README documents, never with a Node stack trace.
 */
import { createServer } from "node:net";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AwsAccountDirectory } from "../../../src/adapters/aws/aws-account-directory.js";
import type { CliIo } from "../../../src/cli/io.js";
import { runCli } from "../../../src/cli/main.js";
import { idcSyncProcess, repoRoot } from "../../cli/cli-harness.js";
import { quickSleep } from "../../integration/audit/harness.js";

const stackFrame = /^\s+at .+/m;

/** A local port nobody listens on: connecting to it is refused at once. */
async function aClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function idcSyncWithQuickRetries(args: string[]) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isInteractive: false,
    ask: async () => "",
    env: { NO_COLOR: "1" },
    cwd: repoRoot,
  };
  const exitCode = await runCli(args, io, {
    audit: {
      inventory: { sleep: quickSleep },
      accountDirectory: async () =>
        new AwsAccountDirectory({
          organizations: new OrganizationsClient({ maxAttempts: 1 }),
          sleep: quickSleep,
        }),
    },
  });
  return { exitCode, stdout, stderr };
}

describe("audit iam-users with AWS unreachable", () => {
  beforeEach(async () => {
    const unreachable = `http://127.0.0.1:${await aClosedPort()}`;
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAUNREACHABLE00001");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "unreachable");
    vi.stubEnv("AWS_SESSION_TOKEN", undefined);
    vi.stubEnv("AWS_PROFILE", undefined);
    vi.stubEnv("AWS_ENDPOINT_URL", unreachable);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("says it cannot reach STS for the named accounts, and exits 69 (unavailable)", async () => {
    const run = await idcSyncWithQuickRetries(["audit", "iam-users", "--accounts", "111111111111"]);

    expect(run.exitCode).toBe(69);
    expect(run.stderr).toMatch(
      /^idc-sync: cannot tell which AWS account the credentials belong to \(sts:GetCallerIdentity\): .*ECONNREFUSED.*; check the network or AWS_ENDPOINT_URL, the region and the credentials\n$/,
    );
    expect(run.stderr).not.toMatch(stackFrame);
    expect(run.stdout).toBe("");
  });

  it("says it cannot list the organization's accounts, and exits 69 (unavailable)", async () => {
    const run = await idcSyncWithQuickRetries(["audit", "iam-users"]);

    expect(run.exitCode).toBe(69);
    expect(run.stderr).toMatch(/^idc-sync: cannot list AWS accounts: .*ECONNREFUSED/);
    expect(run.stderr).not.toMatch(stackFrame);
  });
});

describe("a failure nobody foresaw", () => {
  it("is one line on stderr and exit 69 (a file that cannot be written) from the real command, not a stack trace", async () => {
    const run = await idcSyncProcess([
      "snapshot",
      "directory",
      "--rules",
      "examples/rules.yaml",
      "--source",
      "file:examples/directory.yaml",
      "--out",
      "/no-such-folder/directory.yaml",
    ]);

    expect(run.exitCode).toBe(69);
    expect(run.stderr).toMatch(/^idc-sync: .*no such file or directory.*\/no-such-folder\/directory\.yaml/m);
    expect(run.stderr).not.toMatch(stackFrame);
  });
});
