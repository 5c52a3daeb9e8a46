/**
 * npm run bench:access -- --size S|M|L [--keep]
 *
 * The access report of a synthetic organisation (bench/synthetic-org.ts): Identity Center is the
 * organisation applied, then 1 % churn happens in Google (joiners pending, leavers not explained), and
 * the real `idc-sync report access --format html` writes the page. Measured: the command's wall time and
 * peak RSS, the page's size, and in headless Chromium the time from navigation to the first rendered
 * matrix and people list, the DOM size, and how long a person filter and an account filter take.
 * Prints a markdown table for bench/RESULTS.md.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  accountsFromSnapshot,
  type DirectorySnapshot,
  directoryFromSnapshot,
  directorySnapshotSchema,
} from "../src/adapters/file/directory-snapshot.js";
import { loadRules } from "../src/adapters/file/rules-file.js";
import { emptyIdentityCenterState, saveStateFile } from "../src/adapters/file/state-file.js";
import { StrictInMemoryIdentityCenter } from "../src/adapters/file/strict-in-memory-identity-center.js";
import { evaluate, scopeFromRules } from "../src/mapping/index.js";
import { computePlan } from "../src/sync/plan.js";
import { chromiumInstalled, chromiumPath, launchChromium } from "../tests/browser/chromium.js";
import { churn, generateOrg, orgSizes, type SizeName } from "./synthetic-org.js";

const repoRoot = resolve(import.meta.dirname, "..");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { size: { type: "string", default: "S" }, keep: { type: "boolean" } },
  });
  const sizeName = (values.size ?? "S").toUpperCase() as SizeName;
  if (!(sizeName in orgSizes)) throw new Error(`--size must be S, M or L, got '${values.size}'`);
  if (!chromiumInstalled()) throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium`);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const dir = await mkdtemp(join(tmpdir(), `idc-sync-bench-access-${sizeName}-`));
  const org = generateOrg(orgSizes[sizeName]);
  const rulesPath = join(dir, "rules.yaml");
  await writeFile(rulesPath, org.rulesYaml);
  for (const [file, content] of Object.entries(org.ruleFiles)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), content);
  }
  const snapshot = directorySnapshotSchema.parse(org.snapshot);
  const loaded = await loadRules(rulesPath);
  if (!loaded.ok) throw new Error("the generated rules do not load");

  log(`${sizeName}: applying the organisation to an Identity Center state file…`);
  const statePath = join(dir, "identity-center.json");
  await saveStateFile(statePath, await appliedState(snapshot, loaded.rules));
  const next: DirectorySnapshot = churn(snapshot).snapshot;
  const directoryPath = join(dir, "directory-next.json");
  await writeFile(directoryPath, JSON.stringify(next));

  log(`${sizeName}: idc-sync report access --format html…`);
  const htmlPath = join(dir, "access.html");
  const probePath = join(dir, "probe.json");
  const started = performance.now();
  await run(
    [
      "--import",
      pathToFileURL(join(repoRoot, "bench", "probe.mjs")).href,
      join(repoRoot, "bin", "idc-sync.mjs"),
      "report",
      "access",
      "--rules",
      rulesPath,
      "--source",
      `file:${directoryPath}`,
      "--target",
      `file:${statePath}`,
      "--out",
      htmlPath,
    ],
    { IDC_SYNC_BENCH_PROBE: probePath },
  );
  const commandSeconds = (performance.now() - started) / 1000;
  const probe = JSON.parse(await readFile(probePath, "utf8")) as { maxRssKb: number };
  const bytes = (await stat(htmlPath)).size;

  log(`${sizeName}: opening the page in headless Chromium…`);
  const browser = await launchChromium({ width: 1600, height: 900 });
  try {
    const page = await browser.context.newPage();
    const navigated = performance.now();
    await page.goto(pathToFileURL(htmlPath).href, { timeout: 120_000 });
    await page.waitForSelector("body[data-ready='1']", { timeout: 120_000 });
    const readyWallMs = performance.now() - navigated;
    const timing = (await page.evaluate(
      "({ ready: window.accessReportReadyAt, nodes: document.getElementsByTagName('*').length, people: document.querySelectorAll('.person').length, cells: document.querySelectorAll('.cell').length, heap: performance.memory ? performance.memory.usedJSHeapSize : 0, size: document.getElementById('people-size').textContent, matrix: document.getElementById('matrix-size').textContent })",
    )) as {
      ready: number;
      nodes: number;
      people: number;
      cells: number;
      heap: number;
      size: string;
      matrix: string;
    };

    const someone = next.users[Math.floor(next.users.length / 2)]!.primaryEmail;
    const filterStarted = performance.now();
    await page.fill("#filter-person", someone);
    await page.waitForSelector(`#details[data-person='${someone}']`, { timeout: 60_000 });
    const personFilterMs = performance.now() - filterStarted - 150; // the input waits 150 ms for typing to stop
    await page.click("#filter-reset");
    await page.waitForFunction(
      "document.getElementById('people-size').textContent.split(' of ')[0] === document.getElementById('people-size').textContent.split(' of ')[1]",
    );
    const accountStarted = performance.now();
    await page.selectOption("#filter-account", { index: 1 });
    await page.waitForFunction("document.querySelectorAll('.col').length === 1");
    const accountFilterMs = performance.now() - accountStarted;

    const row = [
      sizeName,
      `${snapshot.users.length.toLocaleString("en")} people, ${snapshot.groups.length} Google groups, ${snapshot.organization?.accounts.length ?? 0} accounts`,
      `${(bytes / 1024 / 1024).toFixed(1)} MB`,
      `${commandSeconds.toFixed(1)} s`,
      `${Math.round(probe.maxRssKb / 1024)} MB`,
      `${Math.round(timing.ready)} ms`,
      `${Math.round(readyWallMs)} ms`,
      `${timing.nodes}`,
      `${Math.round(personFilterMs)} ms`,
      `${Math.round(accountFilterMs)} ms`,
    ];
    process.stdout.write(
      [
        "| size | organisation | HTML | command | command peak RSS | first render (page clock) | navigation → ready | DOM elements | person filter | account filter |",
        "|---|---|---|---|---|---|---|---|---|---|",
        `| ${row.join(" | ")} |`,
        "",
        `Page after first render: ${timing.matrix} in the matrix (${timing.cells} cells in the DOM), people ${timing.size} (${timing.people} rows in the DOM), JS heap ${Math.round(timing.heap / 1024 / 1024)} MB.`,
        "",
      ].join("\n"),
    );
  } finally {
    await browser.close();
    if (!values.keep) await rm(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

/** Identity Center after a perfect apply of the organisation's rules: the plan from empty, applied in memory. */
async function appliedState(snapshot: DirectorySnapshot, rules: Parameters<typeof evaluate>[1]) {
  const evaluation = evaluate(directoryFromSnapshot(snapshot), rules, accountsFromSnapshot(snapshot));
  if (!evaluation.ok) throw new Error("the generated rules do not fit the organisation");
  const identityCenter = new StrictInMemoryIdentityCenter(emptyIdentityCenterState());
  const plan = computePlan(evaluation.desired, emptyIdentityCenterState(), scopeFromRules(rules));
  for (const change of plan.changes) await identityCenter.applyChange(change);
  return identityCenter.snapshot();
}

function run(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("error", fail);
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`idc-sync exited ${code}`))));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
