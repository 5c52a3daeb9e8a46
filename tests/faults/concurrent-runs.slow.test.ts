/**
 * Fault suite, concurrent runs (slow part, `npm run test:faults`): two real `idc-sync apply` processes
 * started together on one file target, with different directories. Whatever the interleaving, each
 * either applies or stops cleanly on the lock, and afterwards the target and the run state agree: a plan
 * against the winner's directory is empty and marks nothing as drift.
 */
import { copyFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { examples, idcSyncProcess } from "../cli/cli-harness.js";

describe("two applies racing on one file target", () => {
  it("never lose an update or leave a false drift behind", async () => {
    for (let round = 0; round < 3; round += 1) {
      const dir = await mkdtemp(join(tmpdir(), "idc-sync-race-"));
      const target = join(dir, "ic.json");
      await copyFile(examples("identity-center.json"), target);
      const apply = (directory: string) =>
        idcSyncProcess([
          "apply",
          "--yes",
          "--rules",
          examples("rules.yaml"),
          "--source",
          `file:${examples(directory)}`,
          "--target",
          `file:${target}`,
        ]);

      const [first, second] = await Promise.all([apply("directory.yaml"), apply("directory-next.yaml")]);

      for (const run of [first, second]) {
        expect([0, 1]).toContain(run.exitCode);
        if (run.exitCode === 69) expect(run.stderr).toContain("another idc-sync run is using");
      }
      expect(first.exitCode === 0 || second.exitCode === 0).toBe(true);
      const plans = await Promise.all(
        ["directory.yaml", "directory-next.yaml"].map((directory) =>
          idcSyncProcess([
            "plan",
            "--detailed-exitcode",
            "--rules",
            examples("rules.yaml"),
            "--source",
            `file:${examples(directory)}`,
            "--target",
            `file:${target}`,
          ]),
        ),
      );
      // The target holds exactly what the last apply wrote: one directory is in step with it. What the
      // other would change is Google's doing (joiners, leavers), never drift.
      const inStep = plans.filter((plan) => plan.exitCode === 0);
      expect(inStep.length).toBeGreaterThanOrEqual(1);
      for (const plan of plans) expect(plan.stdout).not.toContain("[drift");
    }
  }, 120_000);
});
