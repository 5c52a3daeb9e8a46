/**
 * Runs the AWS emulator until killed:
 *   npx tsx tests/emulators/aws/main.ts [--state FILE] [--organization DIRECTORY_SNAPSHOT_FILE] [--port 4566]
 * Point the CLI at it with AWS_ENDPOINT_URL=<printed url>, AWS_REGION=us-east-1 and any fake keys.
 */
import { parseArgs } from "node:util";
import { loadDirectorySnapshot } from "../../../src/adapters/file/directory-snapshot.js";
import { loadStateFile } from "../../../src/adapters/file/state-file.js";
import { startAwsEmulator } from "./emulator.js";

const { values } = parseArgs({
  options: {
    state: { type: "string" },
    organization: { type: "string" },
    port: { type: "string", default: "4566" },
    host: { type: "string", default: "127.0.0.1" },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}
const state = values.state ? await loadStateFile(values.state) : undefined;
const organization = values.organization
  ? (await loadDirectorySnapshot(values.organization)).organization
  : undefined;
if (values.organization && !organization) {
  console.error(`${values.organization} has no organization section`);
  process.exit(2);
}

const emulator = await startAwsEmulator({
  port,
  host: values.host,
  ...(state ? { state } : {}),
  ...(organization ? { organization } : {}),
});
console.log(emulator.url);
console.log(`instanceArn=${emulator.instanceArn} identityStoreId=${emulator.identityStoreId}`);

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
