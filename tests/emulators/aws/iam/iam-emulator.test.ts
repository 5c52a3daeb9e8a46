import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListMFADevicesCommand,
} from "@aws-sdk/client-iam";
import { afterEach, describe, expect, it } from "vitest";
import { credentialReportReuseMs, type IamEmulator, startIamEmulator } from "./iam-emulator.js";

const accountId = "111111111111";
const hour = 3_600_000;

describe("the IAM emulator's credential report", () => {
  let emulator: IamEmulator;
  let iam: IAMClient;
  let clock = Date.parse("2025-06-30T12:00:00Z");
  afterEach(async () => {
    iam.destroy();
    await emulator.close();
  });

  async function start(): Promise<void> {
    clock = Date.parse("2025-06-30T12:00:00Z");
    emulator = await startIamEmulator({
      accounts: [
        {
          id: accountId,
          users: [
            {
              userName: "alice",
              createdAt: "2025-01-01T00:00:00Z",
              password: {},
              mfaDevices: [`arn:aws:iam::${accountId}:mfa/alice`],
            },
          ],
        },
      ],
      homeAccountId: accountId,
      wallClock: () => clock,
    });
    iam = new IAMClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIAEMULATORAUDITOR1", secretAccessKey: "emulator" },
      maxAttempts: 1,
    });
  }

  const generate = async () => (await iam.send(new GenerateCredentialReportCommand({}))).State;
  const download = async () => {
    const report = await iam.send(new GetCredentialReportCommand({}));
    const [, alice] = new TextDecoder().decode(report.Content).trim().split("\n").slice(1);
    return { generatedAt: report.GeneratedTime, mfaActive: alice?.split(",")[7] };
  };

  it("serves the report it generated for four hours, whatever changed since, then makes a new one", async () => {
    await start();
    expect([await generate(), await generate()]).toEqual(["STARTED", "COMPLETE"]);
    const first = await download();

    emulator.updateUser(accountId, "alice", { mfaDevices: [] });
    clock += credentialReportReuseMs - 1;
    const again = await generate();
    const stale = await download();
    const live = await iam.send(new ListMFADevicesCommand({ UserName: "alice" }));

    expect(first).toEqual({ generatedAt: new Date("2025-06-30T12:00:00Z"), mfaActive: "true" });
    expect(again).toBe("COMPLETE");
    expect(stale).toEqual(first);
    expect(live.MFADevices).toEqual([]);

    clock += 1;
    expect([await generate(), await generate()]).toEqual(["STARTED", "COMPLETE"]);
    expect(await download()).toEqual({ generatedAt: new Date(clock), mfaActive: "false" });
  });

  it("answers ReportNotPresent before any report, ReportInProgress while one is made, ReportExpired after four hours", async () => {
    await start();
    const error = () =>
      download().then(
        () => "no error",
        (failure: Error) => failure.name,
      );

    const missing = await error();
    await generate();
    const inProgress = await error();
    await generate();
    clock += 5 * hour;
    const expired = await error();

    expect([missing, inProgress, expired]).toEqual([
      "CredentialReportNotPresentException",
      "CredentialReportNotReadyException",
      "CredentialReportExpiredException",
    ]);
  });
});
