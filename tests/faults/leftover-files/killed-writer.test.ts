/**
 * A writer killed between writing its temporary file and renaming it over the target leaves the
 * temporary file behind. The next run must remove such leftovers, and only those.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  sweepTemporaryFiles,
  temporaryFileLimits,
  temporaryPathFor,
  writeFileAtomically,
} from "../../../src/adapters/file/atomic-write.js";
import { aTemporaryIdentityCenter, idcSync } from "../../cli/cli-harness.js";

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill("SIGKILL");
});

/**
 * Starts a process that writes the first half of `text` to the temporary file our writer would use for
 * `path` if it had the child's process id, and then waits, as if it were killed in the middle of a write.
 */
async function aWriterCaughtMidWrite(
  path: string,
  text: string,
): Promise<{ child: ChildProcess; temporary: string }> {
  const child = spawn(
    process.execPath,
    [
      "-e",
      `process.stdin.once("data", (name) => {
         require("node:fs").writeFileSync(String(name).trim(), ${JSON.stringify(text.slice(0, text.length / 2))});
         process.stdout.write("written\\n");
         setInterval(() => {}, 1000);
       });`,
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  running.push(child);
  const temporary = temporaryPathFor(path, child.pid);
  child.stdin?.write(`${temporary}\n`);
  await once(child.stdout!, "data");
  return { child, temporary };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

const temporaryFilesIn = async (folder: string) =>
  (await readdir(folder)).filter((name) => name.endsWith(".tmp"));

describe("temporary files left by a killed writer", () => {
  it("are removed by the next apply to the file target and its run state", async () => {
    const target = await aTemporaryIdentityCenter();
    const folder = join(target, "..");
    const text = await readFile(target, "utf8");
    const killedApply = await aWriterCaughtMidWrite(target, text);
    const killedState = await aWriterCaughtMidWrite(target.replace(/\.json$/, ".state.json"), "{}");
    await kill(killedApply.child);
    await kill(killedState.child);
    expect(await temporaryFilesIn(folder)).toHaveLength(2);

    const apply = await idcSync([
      "apply",
      "--rules",
      "examples/rules.yaml",
      "--source",
      "file:examples/directory.yaml",
      "--target",
      `file:${target}`,
      "--yes",
    ]);

    expect(apply.exitCode).toBe(0);
    expect(await temporaryFilesIn(folder)).toEqual([]);
    expect(JSON.parse(await readFile(target, "utf8")).users.length).toBeGreaterThan(1);
  });

  it("are left alone while their writer still runs", async () => {
    const target = await aTemporaryIdentityCenter();
    const stillWriting = await aWriterCaughtMidWrite(target, "{}");

    const removed = await sweepTemporaryFiles(target);

    expect(removed).toEqual([]);
    expect(await temporaryFilesIn(join(target, ".."))).toEqual([stillWriting.temporary.split("/").pop()]);
  });

  it("are removed once old, whoever wrote them, and other files never are", async () => {
    const folder = await mkdtemp(join(tmpdir(), "idc-sync-sweep-"));
    const target = join(folder, "ic.json");
    const names = {
      oldUuid: "ic.json.0b5a4e8e-9c1e-4a53-9a52-5b8f8d1f2a3c.tmp",
      youngUuid: "ic.json.1c6b5f9f-0d2f-4b64-8b63-6c9f9e203b4d.tmp",
      oldOtherHost: "ic.json.another-host.4242.0123abcd.tmp",
      youngOtherHost: "ic.json.another-host.4243.4567cdef.tmp",
      otherTarget: "ic.state.json.another-host.4244.89abcdef.tmp",
      notOurs: "ic.json.backup.tmp",
    };
    for (const name of Object.values(names)) await writeFile(join(folder, name), "{");
    await mkdir(join(folder, "ic.json.2d7c6a0a-1e3a-4c75-9c74-7da0af314c5e.tmp"));
    const eleventhMinute = new Date(Date.now() - temporaryFileLimits.staleAfterMs - 60_000);
    for (const name of [names.oldUuid, names.oldOtherHost, names.notOurs, names.otherTarget])
      await utimes(join(folder, name), eleventhMinute, eleventhMinute);

    const removed = await sweepTemporaryFiles(target);

    expect(removed.sort()).toEqual([names.oldOtherHost, names.oldUuid].sort());
    expect((await readdir(folder)).sort()).toEqual(
      [
        names.youngUuid,
        names.youngOtherHost,
        names.otherTarget,
        names.notOurs,
        "ic.json.2d7c6a0a-1e3a-4c75-9c74-7da0af314c5e.tmp",
      ].sort(),
    );
  });

  it("are not left by a write that fails", async () => {
    const folder = await mkdtemp(join(tmpdir(), "idc-sync-sweep-"));
    const target = join(folder, "ic.json");
    await mkdir(target);

    await expect(writeFileAtomically(target, "{}")).rejects.toThrow();

    expect(await temporaryFilesIn(folder)).toEqual([]);
  });
});
