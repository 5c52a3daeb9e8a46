/**
 * Runs the IAM inventory demo emulators until killed:
 *   npx tsx tests/emulators/aws/iam/main.ts [--port 4567] [--org-port 4566] [--report-polls 1]
 * Starts the AWS emulator with the organization of seed-directory.yaml (Organizations) and the
 * IAM/STS/CloudTrail emulator seeded from seed.ts, then prints the environment to point the CLI at them.
 */
import { parseArgs } from "node:util";
import { loadDirectorySnapshot } from "../../../../src/adapters/file/directory-snapshot.js";
import { startAwsEmulator } from "../emulator.js";
import { startIamEmulator } from "./iam-emulator.js";
import { seedAccountIds, seedAccounts, seedDirectoryFile } from "./seed.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4567" },
    "org-port": { type: "string", default: "4566" },
    host: { type: "string", default: "127.0.0.1" },
    "report-polls": { type: "string", default: "1" },
  },
});

const snapshot = await loadDirectorySnapshot(seedDirectoryFile);
const organizations = await startAwsEmulator({
  port: Number(values["org-port"]),
  host: values.host,
  ...(snapshot.organization ? { organization: snapshot.organization } : {}),
});
const iam = await startIamEmulator({
  accounts: seedAccounts(new Date()),
  homeAccountId: seedAccountIds.management,
  reportPollsBeforeComplete: Number(values["report-polls"]),
  port: Number(values.port),
  host: values.host,
});

console.log(`# Organizations at ${organizations.url}; IAM, STS and CloudTrail at ${iam.url}`);
console.log(
  `export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIAEMULATORAUDITOR1 AWS_SECRET_ACCESS_KEY=emulator`,
);
console.log(`export AWS_ENDPOINT_URL_ORGANIZATIONS=${organizations.url}`);
console.log(
  `export AWS_ENDPOINT_URL_IAM=${iam.url} AWS_ENDPOINT_URL_STS=${iam.url} AWS_ENDPOINT_URL_CLOUDTRAIL=${iam.url}`,
);
console.log(
  `npx idc-sync audit iam-users --cloudtrail --days 30 --source file:${seedDirectoryFile} --domain example.com --format markdown`,
);

const stop = (): void => {
  void Promise.all([organizations.close(), iam.close()]).then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
