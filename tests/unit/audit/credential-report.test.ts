import { describe, expect, it } from "vitest";
import {
  CredentialReportFormatError,
  currentCredentials,
  parseCredentialReport,
} from "../../../src/audit/credential-report.js";
import type { CredentialReportEntry } from "../../../src/audit/model.js";

const header =
  "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

describe("reading the IAM credential report", () => {
  it("gives each IAM user's console facts and leaves out the root account", () => {
    const csv = [
      header,
      "<root_account>,arn:aws:iam::111111111111:root,2018-01-01T00:00:00+00:00,not_supported,2024-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
      "alice,arn:aws:iam::111111111111:user/alice,2020-01-01T00:00:00+00:00,true,2025-06-28T09:30:00+00:00,2020-01-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
      'erin,"arn:aws:iam::111111111111:user/team,a/erin",2025-06-01T00:00:00+00:00,true,no_information,2025-06-01T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
      "ci,arn:aws:iam::111111111111:user/ci,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2020-01-01T00:00:00+00:00,2025-06-29T00:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
    ].join("\n");

    expect(parseCredentialReport(csv)).toEqual([
      {
        user: "alice",
        arn: "arn:aws:iam::111111111111:user/alice",
        passwordEnabled: true,
        passwordLastUsed: new Date("2025-06-28T09:30:00Z"),
        mfaActive: true,
      },
      {
        user: "erin",
        arn: "arn:aws:iam::111111111111:user/team,a/erin",
        passwordEnabled: true,
        mfaActive: false,
      },
      { user: "ci", arn: "arn:aws:iam::111111111111:user/ci", passwordEnabled: false, mfaActive: false },
    ]);
  });

  it("refuses a report without the columns it needs", () => {
    expect(() => parseCredentialReport("user,arn\nalice,arn:x\n")).toThrow(CredentialReportFormatError);
  });
});

describe("a user's console and MFA facts, live reads before the credential report", () => {
  const generatedAt = new Date("2025-06-30T12:00:00Z");
  const before = new Date("2025-06-30T10:00:00Z");
  const after = new Date("2025-06-30T14:00:00Z");
  const row = (facts: Partial<CredentialReportEntry>): CredentialReportEntry => ({
    user: "alice",
    arn: "arn:aws:iam::111111111111:user/alice",
    passwordEnabled: false,
    mfaActive: false,
    ...facts,
  });

  it("takes MFA from the devices assigned now, whatever the report said", () => {
    const removed = currentCredentials(row({ mfaActive: true }), generatedAt, {
      passwordLastUsed: undefined,
      mfaDevices: [],
    });
    const added = currentCredentials(row({ mfaActive: false }), generatedAt, {
      passwordLastUsed: undefined,
      mfaDevices: ["arn:aws:iam::111111111111:mfa/alice"],
    });

    expect([removed.mfaActive, added.mfaActive]).toEqual([false, true]);
  });

  it("counts a password used after the report was generated as enabled, and takes the later use", () => {
    const usedSince = currentCredentials(row({ passwordEnabled: false }), generatedAt, {
      passwordLastUsed: after,
      mfaDevices: [],
    });
    const usedBefore = currentCredentials(
      row({ passwordEnabled: false, passwordLastUsed: before }),
      generatedAt,
      {
        passwordLastUsed: before,
        mfaDevices: [],
      },
    );

    expect(usedSince).toEqual({ passwordEnabled: true, passwordLastUsed: after, mfaActive: false });
    // IAM keeps the last use after a password is removed: a use before the report proves nothing.
    expect(usedBefore).toEqual({ passwordEnabled: false, passwordLastUsed: before, mfaActive: false });
  });

  it("keeps the report's word when it is all there is, and infers nothing without its date", () => {
    const noLive = currentCredentials(row({ passwordEnabled: true, passwordLastUsed: before }), generatedAt, {
      passwordLastUsed: undefined,
      mfaDevices: [],
    });
    const undated = currentCredentials(row({ passwordEnabled: false }), undefined, {
      passwordLastUsed: after,
      mfaDevices: [],
    });
    const noRow = currentCredentials(undefined, generatedAt, { passwordLastUsed: after, mfaDevices: [] });

    expect(noLive).toEqual({ passwordEnabled: true, passwordLastUsed: before, mfaActive: false });
    expect(undated.passwordEnabled).toBe(false);
    expect(noRow.passwordEnabled).toBe(true);
  });
});
