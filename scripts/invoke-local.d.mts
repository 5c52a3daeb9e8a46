/** Types for the helpers tests import from invoke-local.mjs (a plain-node script, not compiled). */
export interface LocalEmulatorUrls {
  googleUrl: string;
  googleToken: string;
  awsUrl: string;
}

/** The Lambda environment of serverless.yml, with the emulators in place of Google and AWS. */
export function localHandlerEnv(bundleDir: string, urls: LocalEmulatorUrls): NodeJS.ProcessEnv;

/** Fake credentials and region so osls packages without reaching AWS. */
export function fakeAwsEnv(): Record<string, string>;
