/**
 * `idc-sync init [DIR]`: the repository an organisation keeps, scaffolded from the installed package's
 * templates/init/: commented rules with the schema line, a policy file, a serverless.yml that deploys
 * this package's handler with the organisation's rules, a GitHub Actions workflow and a README of next
 * steps. The package.json pins idc-sync and the deploy tools at the versions this release was tested
 * with, so upgrading is a version bump; an existing package.json only gains what is missing. No other file
 * is overwritten: an existing one stops init before it writes anything.
 */
import { constants } from "node:fs";
import { access, copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";

/** Two folders up from both src/cli/commands and dist/cli/commands: the package root. */
const packageRoot = fileURLToPath(new URL("../../../", import.meta.url));
const templates = join(packageRoot, "templates/init");

/**
 * Template file → file written. npm leaves `.gitignore` files out of a package and dot folders are easy to
 * lose, so those templates are stored without the dot.
 */
const scaffoldFiles = [
  ["rules.yaml", "rules.yaml"],
  ["policies/developer.json", "policies/developer.json"],
  ["serverless.yml", "serverless.yml"],
  ["handler.js", "handler.js"],
  ["google-push.js", "google-push.js"],
  ["renew-channels.js", "renew-channels.js"],
  ["sync-queue.js", "sync-queue.js"],
  ["github/workflows/idc-sync.yml", ".github/workflows/idc-sync.yml"],
  ["README.md", "README.md"],
  ["gitignore", ".gitignore"],
] as const;

/** The deploy tools the scaffold's serverless.yml needs, pinned as this package's own devDependencies. */
const deployTools = ["osls", "serverless-esbuild", "esbuild"] as const;

export function registerInitCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command("init")
    .description("scaffold an organisation's own idc-sync repository (rules, deployment, workflow) in DIR")
    .argument("[dir]", "the folder to write into (created when missing)", ".")
    .action(async (dir: string) => {
      setExitCode(await scaffold(resolve(io.cwd, dir), io));
    });
}

async function scaffold(target: string, io: CliIo): Promise<number> {
  const manifest = createRequire(import.meta.url)(join(packageRoot, "package.json")) as Manifest;
  const written: string[] = scaffoldFiles.map(([, to]) => to);
  const existing: string[] = [];
  for (const file of written) if (await exists(join(target, file))) existing.push(file);
  if (existing.length > 0) {
    io.stderr(
      `idc-sync: ${displayFolder(io.cwd, target)} already has ${existing.join(", ")}; nothing was written. ` +
        "Run init in an empty folder (or move those files away).\n",
    );
    return ExitCode.usage;
  }

  const packageJsonPath = join(target, "package.json");
  const current = await readPackageJson(packageJsonPath);
  if (current === "unreadable") {
    io.stderr(
      `idc-sync: ${join(displayFolder(io.cwd, target), "package.json")} is not a JSON object; nothing was written.\n`,
    );
    return ExitCode.usage;
  }
  for (const [from, to] of scaffoldFiles) {
    await mkdir(dirname(join(target, to)), { recursive: true });
    await copyFile(join(templates, from), join(target, to), constants.COPYFILE_EXCL);
  }
  await writeFile(
    packageJsonPath,
    `${JSON.stringify(scaffoldPackageJson(current, basename(target), manifest), null, 2)}\n`,
  );
  written.push(
    current === undefined ? "package.json" : "package.json (idc-sync, the deploy tools and scripts added)",
  );

  const folder = displayFolder(io.cwd, target);
  io.stdout(`Wrote ${written.length} files to ${folder}:\n${written.map((file) => `  ${file}\n`).join("")}`);
  io.stdout(
    [
      "",
      "Next:",
      ...(folder === "." ? [] : [`  cd ${folder}`]),
      "  npm install                          idc-sync and the deploy tools, at the versions pinned",
      "  npx idc-sync validate                check rules.yaml after every edit",
      "  npx osls package --stage prod        check the deployment offline (fill in params.prod first)",
      "  README.md has the rest: Google, Identity Center, the first deploy, the workflow.",
      "",
    ].join("\n"),
  );
  return ExitCode.ok;
}

interface Manifest {
  name: string;
  version: string;
  devDependencies?: Record<string, string>;
}

type PackageJson = Record<string, unknown> & {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
};

/**
 * The organisation's package.json: idc-sync and the deploy tools pinned as this release's own
 * devDependencies, and the scripts. An existing package.json (`npm install idc-sync` first, then init) keeps
 * everything it has, the idc-sync it installed included; only what is missing is added.
 */
function scaffoldPackageJson(
  current: PackageJson | undefined,
  folder: string,
  manifest: Manifest,
): PackageJson {
  const pinned: Record<string, string> = { [manifest.name]: manifest.version };
  for (const tool of deployTools) {
    const version = manifest.devDependencies?.[tool];
    if (version === undefined) throw new Error(`${manifest.name}'s package.json names no ${tool} version`);
    pinned[tool] = version;
  }
  const base: PackageJson = current ?? { name: packageName(folder), private: true, type: "module" };
  const declared = { ...base.dependencies, ...base.devDependencies };
  const devDependencies = { ...base.devDependencies };
  for (const [name, version] of Object.entries(pinned))
    if (!(name in declared)) devDependencies[name] = version;
  return {
    ...base,
    scripts: {
      validate: "idc-sync validate",
      plan: "idc-sync plan",
      package: "osls package --stage prod",
      deploy: "osls deploy --stage prod",
      ...base.scripts,
    },
    devDependencies,
  };
}

async function readPackageJson(path: string): Promise<PackageJson | undefined | "unreadable"> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as PackageJson)
      : "unreadable";
  } catch {
    return "unreadable";
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function displayFolder(cwd: string, target: string): string {
  const inside = relative(cwd, target);
  return inside === "" ? "." : inside.startsWith("..") ? target : inside;
}

/** npm's rules for a package name: lower case, URL-safe, at most 214 characters. */
function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+|-+$/g, "");
  return (name || "aws-access").slice(0, 214);
}
