/**
 * A checkout to run a malformed rules file in: `rules/` holds the rules file and its policies, and
 * secrets sit both beside it (`outside/`, like a CI workspace's service-account key) and inside it in
 * files that are not policies (`rules/.env`). Every secret carries a canary string that must never show
 * up in anything idc-sync prints.
 */
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { examples } from "../../cli/cli-harness.js";

export interface Sandbox {
  root: string;
  rulesFolder: string;
  rulesFile: string;
  outside: string;
  /** Strings from files that are not policies; none may ever be printed. */
  canaries: string[];
  remove(): Promise<void>;
}

export async function aSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), "idc-sync-corpus-"));
  const rulesFolder = join(root, "rules");
  const outside = join(root, "outside");
  await mkdir(join(rulesFolder, "policies"), { recursive: true });
  await mkdir(outside);
  const canary = (where: string) => `CANARY-${where}-${randomBytes(6).toString("hex")}`;
  const canaries = {
    key: canary("service-account-key"),
    passwd: canary("passwd"),
    dotenv: canary("dotenv"),
    notes: canary("notes"),
  };
  await copyFile(examples("policies/developer.json"), join(rulesFolder, "policies/developer.json"));
  await writeFile(
    join(outside, "secret.json"),
    JSON.stringify({ type: "service_account", private_key: canaries.key }),
  );
  await writeFile(join(outside, "passwd"), `root:${canaries.passwd}:0:0:root:/root:/bin/bash\n`);
  await writeFile(join(rulesFolder, ".env"), `SLACK_WEBHOOK_URL=${canaries.dotenv}\n`);
  await writeFile(join(rulesFolder, "policies/notes.txt"), `${canaries.notes} is not JSON\n{`);
  return {
    root,
    rulesFolder,
    rulesFile: join(rulesFolder, "rules.yaml"),
    outside,
    canaries: Object.values(canaries),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
