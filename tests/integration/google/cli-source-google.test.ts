import { copyFile, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDirectorySnapshot } from "../../../src/adapters/file/directory-snapshot.js";
import { aTemporaryIdentityCenter, examples, idcSync } from "../../cli/cli-harness.js";
import {
  type GoogleDirectoryEmulator,
  startGoogleDirectoryEmulator,
} from "../../emulators/google-directory/emulator.js";
import { emulatorEnv } from "./google-test-kit.js";

const rules = ["--rules", "examples/rules.yaml"];
const accountsFromSample = ["--accounts", "file:examples/directory.yaml"];

describe("idc-sync with --source google, against the Directory API emulator serving the example company", () => {
  let emulator: GoogleDirectoryEmulator;
  let env: Record<string, string>;

  beforeAll(async () => {
    emulator = await startGoogleDirectoryEmulator({
      snapshot: await loadDirectorySnapshot(examples("directory.yaml")),
    });
    env = emulatorEnv(emulator);
  });
  afterAll(() => emulator.close());

  it("plans exactly what the same directory as a file plans", async () => {
    const state = await aTemporaryIdentityCenter();
    const target = ["--target", `file:${state}`];
    const fromGoogle = await idcSync(
      ["plan", ...rules, "--source", "google", ...accountsFromSample, ...target, "--json"],
      {
        env,
      },
    );
    const fromFile = await idcSync([
      "plan",
      ...rules,
      "--source",
      "file:examples/directory.yaml",
      ...target,
      "--json",
    ]);
    expect(fromGoogle.stderr).toBe("");
    expect(fromGoogle.exitCode).toBe(0);
    expect(JSON.parse(fromGoogle.stdout).changes.length).toBeGreaterThan(50);
    expect(JSON.parse(fromGoogle.stdout)).toEqual(JSON.parse(fromFile.stdout));
  });

  it("uses google as the default source", async () => {
    const state = await aTemporaryIdentityCenter();
    const run = await idcSync(["plan", ...rules, ...accountsFromSample, "--target", `file:${state}`], {
      env,
    });
    expect(run.exitCode).toBe(0);
    expect(emulator.requestCounts()).not.toEqual({});
  });

  it("writes a snapshot that plans the same as the live directory it was taken from", async () => {
    const state = await aTemporaryIdentityCenter();
    const out = join(state, "..", "snapshot.yaml");
    // The organization comes from AWS Organizations by default; here from the sample's section.
    const snapshot = await idcSync(
      ["snapshot", "directory", ...rules, "--source", "google", ...accountsFromSample, "--out", out],
      { env },
    );
    expect(snapshot.exitCode, snapshot.stderr).toBe(0);
    expect(snapshot.stderr).toMatch(/Wrote 40 users, 2 groups .*and the organization \(8 accounts, 5 OUs\)/);

    const target = ["--target", `file:${state}`];
    const fromSnapshot = await idcSync([
      "plan",
      ...rules,
      "--source",
      `file:${out}`,
      ...accountsFromSample,
      ...target,
      "--json",
    ]);
    const fromGoogle = await idcSync(
      ["plan", ...rules, "--source", "google", ...accountsFromSample, ...target, "--json"],
      {
        env,
      },
    );
    expect(fromSnapshot.exitCode).toBe(0);
    expect(JSON.parse(fromSnapshot.stdout)).toEqual(JSON.parse(fromGoogle.stdout));
    expect(await readFile(out, "utf8")).toContain("kaigodx-dev@example.com");
  });

  it("validates broken rules against live Google in one pass: the slip, and the group that does not exist with the one meant", async () => {
    const folder = await mkdtemp(join(tmpdir(), "idc-sync-google-"));
    const file = join(folder, "rules.yaml");
    await mkdir(join(folder, "policies"));
    await copyFile(examples("policies/developer.json"), join(folder, "policies/developer.json"));
    const text = await readFile(examples("rules.yaml"), "utf8");
    await writeFile(
      file,
      text
        .replace(
          "      - googleGroup: kaigodx-dev@example.com",
          "      - googleGroup: kaigodx-devs@example.com",
        )
        .replace(
          "    exclude:\n      - orgUnit: /Engineering/Interns",
          "     exclude:\n      - orgUnit: /Engineering/Interns",
        ),
    );

    const run = await idcSync(["validate", "--rules", file, "--source", "google", ...accountsFromSample], {
      env,
    });

    expect(run.exitCode).toBe(64);
    expect(run.stderr).toMatch(/rules\.yaml:\d+:6: this key is not lined up with the keys above it/);
    expect(run.stderr).toMatch(
      /rules\.yaml:\d+:\d+: Google group 'kaigodx-devs@example\.com' does not exist in Google; did you mean 'kaigodx-dev@example\.com'\?/,
    );
    expect(run.stderr).toContain("2 problems in the rules; nothing was changed.");
    // The group list was read only because a named group was missing.
    expect(emulator.requestCounts()["/admin/directory/v1/groups"]).toBe(1);
  });

  it("stops with exit 69 (unavailable) and changes nothing when a Google read fails", async () => {
    const state = await aTemporaryIdentityCenter();
    const before = await readFile(state, "utf8");
    // A non-retryable error: the retry storms themselves are covered by the source's own tests.
    emulator.faults.error(
      { status: 400, reason: "invalid", message: "Invalid Input", domain: "global" },
      { path: "/members", times: Number.POSITIVE_INFINITY },
    );
    try {
      const run = await idcSync(
        [
          "apply",
          ...rules,
          "--source",
          "google",
          ...accountsFromSample,
          "--target",
          `file:${state}`,
          "--yes",
        ],
        {
          env: { ...env },
        },
      );
      expect(run.exitCode).toBe(69);
      expect(run.stderr).toContain("idc-sync:");
      expect(await readFile(state, "utf8")).toBe(before);
    } finally {
      emulator.faults.clear();
    }
  });

  it("names the variables to set when there are no Google credentials, exit 78 (configuration)", async () => {
    const state = await aTemporaryIdentityCenter();
    const run = await idcSync(["plan", ...rules, ...accountsFromSample, "--target", `file:${state}`]);
    expect(run.exitCode).toBe(78);
    expect(run.stderr).toContain("GOOGLE_APPLICATION_CREDENTIALS");
    expect(run.stderr).toContain("--source file:");
  });
});
