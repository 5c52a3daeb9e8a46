import { describe, expect, it } from "vitest";
import {
  doctorExitCode,
  FailureCause,
  failed,
  manualChecks,
  noted,
  passed,
  renderDoctorReport,
  skipped,
} from "../../../src/doctor/checklist.js";

const ok = passed("AWS region", "eu-west-1");
const wrongStore = failed(
  "Identity store",
  "the rules name d-1",
  "set it to d-2",
  FailureCause.configuration,
);
const creating = failed("Identity Center instance", "being created", "wait", FailureCause.unavailable);

describe("the doctor's verdict", () => {
  it("exits 0 when nothing failed, notes and skipped checks included", () => {
    expect(doctorExitCode([ok, noted("x", "works", "but"), skipped("Google", "a snapshot")])).toBe(0);
  });

  it("exits 78 when anything is configured wrong, even beside an unavailable service", () => {
    expect(doctorExitCode([ok, wrongStore])).toBe(78);
    expect(doctorExitCode([creating, wrongStore])).toBe(78);
  });

  it("exits 69 when the only failures are services not reachable or not ready", () => {
    expect(doctorExitCode([ok, creating])).toBe(69);
  });

  it("prints each check with its mark, the fix under a failure, then the console settings to check by hand", () => {
    const text = renderDoctorReport({ checks: [ok, wrongStore], manual: manualChecks });

    expect(text).toContain(
      "✓ AWS region: eu-west-1\n✗ Identity store: the rules name d-1\n    fix: set it to d-2\n",
    );
    expect(text).toContain("1 check failed; plan and apply will not work until it is fixed.");
    const manual = text.slice(text.indexOf("Check by hand"));
    expect(manual.match(/^\[ \] /gm)).toHaveLength(manualChecks.length);
    expect(manual).toContain('"Send email OTP" is Enabled');
  });
});
