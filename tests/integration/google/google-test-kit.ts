/** Shared set-up for the Google source tests: an emulator and a source wired to it over real HTTP. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type DirectorySnapshot,
  parseDirectorySnapshot,
} from "../../../src/adapters/file/directory-snapshot.js";
import {
  createGoogleDirectorySource,
  type GoogleDirectorySourceOverrides,
} from "../../../src/adapters/google/create-google-directory-source.js";
import type { GoogleDirectorySource } from "../../../src/adapters/google/google-directory-source.js";
import type { DirectoryRequest } from "../../../src/sync/model.js";
import type { ProgressEvent } from "../../../src/sync/ports.js";
import {
  type GoogleDirectoryEmulator,
  startGoogleDirectoryEmulator,
} from "../../emulators/google-directory/emulator.js";

export const samplePath = fileURLToPath(
  new URL("../../fixtures/google/sample-directory.yaml", import.meta.url),
);

export function sampleSnapshot(): DirectorySnapshot {
  return parseDirectorySnapshot(readFileSync(samplePath, "utf8"), samplePath);
}

/** The environment a developer sets to point idc-sync at the emulator. */
export function emulatorEnv(
  emulator: GoogleDirectoryEmulator,
  token = emulator.accessToken,
): Record<string, string> {
  return { IDC_SYNC_GOOGLE_ROOT_URL: emulator.url, IDC_SYNC_GOOGLE_ACCESS_TOKEN: token };
}

/** Backoff waits are recorded, not slept, so storms cost nothing but requests. */
export function sourceFor(
  emulator: GoogleDirectoryEmulator,
  overrides: GoogleDirectorySourceOverrides = {},
): { source: GoogleDirectorySource; sleeps: number[] } {
  const sleeps: number[] = [];
  const source = createGoogleDirectorySource(emulatorEnv(emulator), {
    requestsPerSecond: 10_000,
    backoff: { baseMs: 1, maxMs: 4 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
  return { source, sleeps };
}

export async function withEmulator<T>(
  snapshot: DirectorySnapshot,
  body: (emulator: GoogleDirectoryEmulator) => Promise<T>,
): Promise<T> {
  const emulator = await startGoogleDirectoryEmulator({ snapshot });
  try {
    return await body(emulator);
  } finally {
    await emulator.close();
  }
}

export function aRequest(overrides: Partial<DirectoryRequest> = {}): DirectoryRequest {
  return { customerId: "my_customer", domains: ["example.com"], groupEmails: [], ...overrides };
}

export function progressRecorder(): { events: ProgressEvent[]; listener: (event: ProgressEvent) => void } {
  const events: ProgressEvent[] = [];
  return { events, listener: (event) => events.push(event) };
}
