/**
 * Headless Chromium for tests and the benchmark: Debian's `chromium` package driven by playwright-core
 * (no browser download: `npx playwright install` cannot run on these machines). Every launch gets a
 * fresh profile directory and no background networking, so a page can only reach what it loads itself.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Where Debian's package puts the browser; `IDC_SYNC_CHROMIUM` points elsewhere. */
export const chromiumPath = process.env.IDC_SYNC_CHROMIUM ?? "/usr/bin/chromium";

export function chromiumInstalled(): boolean {
  return existsSync(chromiumPath);
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts headless Chromium with a fresh profile; `close` stops it and removes the profile. */
export async function launchChromium(viewport = { width: 1600, height: 900 }): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), "idc-sync-chromium-"));
  // Playwright passes the profile as --user-data-dir itself (it refuses the flag in `args`).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
