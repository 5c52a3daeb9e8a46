/**
 * Runs the Google Directory emulator until killed:
 *
 *   npx tsx tests/emulators/google-directory/main.ts --snapshot FILE [--port 8081] [--token T]
 *       [--latency MS] [--customer ID]
 *
 * The first line on stdout is the root URL (for scripts); the environment to point idc-sync at it
 * follows on stderr.
 */
import { parseArgs } from "node:util";
import { loadDirectorySnapshot } from "../../../src/adapters/file/directory-snapshot.js";
import { startGoogleDirectoryEmulator } from "./emulator.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      snapshot: { type: "string" },
      port: { type: "string", default: "8081" },
      host: { type: "string", default: "127.0.0.1" },
      token: { type: "string", default: "emulator-token" },
      latency: { type: "string", default: "0" },
      customer: { type: "string" },
    },
  });
  if (!values.snapshot) {
    process.stderr.write(
      "usage: main.ts --snapshot FILE [--port 8081] [--token T] [--latency MS] [--customer ID]\n",
    );
    process.exit(2);
  }
  const port = Number(values.port);
  const latencyMs = Number(values.latency);
  if (!Number.isInteger(port) || port < 0 || !Number.isFinite(latencyMs) || latencyMs < 0) {
    process.stderr.write("--port and --latency must be non-negative numbers\n");
    process.exit(2);
  }
  const snapshot = await loadDirectorySnapshot(values.snapshot);
  const emulator = await startGoogleDirectoryEmulator({
    snapshot,
    port,
    host: values.host,
    accessToken: values.token,
    latencyMs,
    ...(values.customer ? { customerId: values.customer } : {}),
  });
  process.stdout.write(`${emulator.url}\n`);
  process.stderr.write(
    `Google Directory emulator serving ${snapshot.users.length} users and ${snapshot.groups.length} groups from ${values.snapshot}\n` +
      `  IDC_SYNC_GOOGLE_ROOT_URL=${emulator.url}\n  IDC_SYNC_GOOGLE_ACCESS_TOKEN=${emulator.accessToken}\n`,
  );
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
