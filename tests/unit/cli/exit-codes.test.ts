import { describe, expect, it } from "vitest";
import { FileLockedError } from "../../../src/adapters/errors.js";
import { ExitCode, exitCodeForFailure } from "../../../src/cli/exit-codes.js";
import {
  ChangeFailedError,
  ConfigurationError,
  DirectoryReadError,
  FailureKind,
  StateFileError,
  SyncError,
} from "../../../src/sync/errors.js";

describe("the exit code of a failure", () => {
  it("follows the kind each error class stands for", () => {
    expect(exitCodeForFailure(new StateFileError("not a state file", "ic.json"))).toBe(ExitCode.usage);
    expect(exitCodeForFailure(new ConfigurationError("no credentials"))).toBe(ExitCode.configuration);
    expect(exitCodeForFailure(new DirectoryReadError("Google did not answer"))).toBe(ExitCode.unavailable);
    expect(exitCodeForFailure(new FileLockedError("another run", "ic.json"))).toBe(ExitCode.unavailable);
    expect(exitCodeForFailure(new ChangeFailedError("refused", "user:ana"))).toBe(ExitCode.failed);
    expect(exitCodeForFailure(new SyncError("a bug"))).toBe(ExitCode.internal);
  });

  it("lets the thrower say the kind of a bare SyncError", () => {
    const error = new SyncError("user ana does not exist", { kind: FailureKind.changeFailed });

    expect(error.kind).toBe("changeFailed");
    expect(exitCodeForFailure(error)).toBe(1);
  });

  it("reads Node's I/O errors as unavailable and anything else as a bug", () => {
    const unwritable = Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT", syscall: "open" });

    expect(exitCodeForFailure(unwritable)).toBe(69);
    expect(exitCodeForFailure(new TypeError("x is undefined"))).toBe(70);
    expect(exitCodeForFailure("a string")).toBe(70);
  });

  it("uses the documented numbers", () => {
    expect(ExitCode).toMatchObject({
      usage: 64,
      unavailable: 69,
      internal: 70,
      configuration: 78,
      failed: 1,
    });
  });
});
