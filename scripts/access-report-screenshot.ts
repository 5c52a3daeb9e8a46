/**
 * Regenerates docs/access-report.png, the README's picture of the access report: the example company
 * applied from examples/directory.yaml, reported a week later (examples/directory-next.yaml), opened in
 * headless Chromium with one person's paths in the details panel.
 *
 *   npx tsx scripts/access-report-screenshot.ts
 */
import { copyFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runCli } from "../src/cli/main.js";
import { launchChromium } from "../tests/browser/chromium.js";

const repoRoot = resolve(import.meta.dirname, "..");

async function idcSync(args: string[]): Promise<void> {
  let stderr = "";
  const code = await runCli(args, {
    stdout: () => {},
    stderr: (text) => {
      stderr += text;
    },
    isInteractive: false,
    ask: async () => "",
    env: { NO_COLOR: "1" },
    cwd: repoRoot,
  });
  if (code !== 0) throw new Error(`idc-sync ${args.join(" ")} exited ${code}: ${stderr}`);
}

const dir = await mkdtemp(join(tmpdir(), "idc-sync-screenshot-"));
const state = join(dir, "identity-center.json");
await copyFile(join(repoRoot, "examples/identity-center.json"), state);
const rules = ["--rules", "examples/rules.yaml"];
await idcSync([
  "apply",
  ...rules,
  "--source",
  "file:examples/directory.yaml",
  "--target",
  `file:${state}`,
  "--yes",
]);
const html = join(dir, "access.html");
await idcSync([
  "report",
  "access",
  ...rules,
  "--source",
  "file:examples/directory-next.yaml",
  "--target",
  `file:${state}`,
  "--out",
  html,
]);

const browser = await launchChromium({ width: 1600, height: 900 });
try {
  const page = await browser.context.newPage();
  await page.goto(pathToFileURL(html).href);
  await page.waitForSelector("body[data-ready='1']");
  await page.fill("#filter-person", "erika.ishii");
  await page.waitForSelector("#details[data-person='erika.ishii@example.com']");
  // Clear the filters: the whole matrix again, with Erika's paths still in the details panel.
  await page.click("#filter-reset");
  await page.waitForFunction("document.getElementById('people-size').textContent.startsWith('43 of')");
  const out = join(repoRoot, "docs", "access-report.png");
  await page.screenshot({ path: out });
  process.stdout.write(`Wrote ${out}\n`);
} finally {
  await browser.close();
}
