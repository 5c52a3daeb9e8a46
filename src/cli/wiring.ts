/**
 * Builds adapters from `--source` / `--target` values. `google` and `aws` are the live systems;
 * `file:PATH` is a snapshot on disk (offline plans, the demo, tests).
 */
import { resolve } from "node:path";
import { FileDirectorySource } from "../adapters/file/file-directory-source.js";
import { FileIdentityCenter } from "../adapters/file/file-identity-center.js";
import type { Rules } from "../mapping/index.js";
import type { AccountDirectory, DirectorySource, IdentityCenter } from "../sync/ports.js";

export type EndpointSpec = { kind: "live" } | { kind: "file"; path: string };

/** Parses `google`, `aws` or `file:PATH`; returns an error message for anything else. */
export function parseEndpointSpec(
  value: string,
  liveName: "google" | "aws",
  cwd: string,
): EndpointSpec | { error: string } {
  if (value === liveName) return { kind: "live" };
  if (value.startsWith("file:") && value.length > "file:".length) {
    return { kind: "file", path: resolve(cwd, value.slice("file:".length)) };
  }
  return { error: `expected '${liveName}' or 'file:PATH', got '${value}'` };
}

/** The directory: the live Google directory, or a snapshot file. */
export async function buildDirectorySource(
  spec: EndpointSpec,
  env: Record<string, string | undefined>,
): Promise<DirectorySource> {
  if (spec.kind === "file") return new FileDirectorySource(spec.path);
  const { createGoogleDirectorySource } = await import("../adapters/google/index.js");
  return createGoogleDirectorySource(env);
}

/** The AWS accounts: AWS Organizations, or the organization section of a snapshot file. */
export async function buildAccountDirectory(spec: EndpointSpec): Promise<AccountDirectory> {
  if (spec.kind === "file") return new FileDirectorySource(spec.path);
  const { createAwsAccountDirectory } = await import("../adapters/aws/index.js");
  return createAwsAccountDirectory();
}

export async function buildTarget(spec: EndpointSpec, rules: Rules): Promise<IdentityCenter> {
  if (spec.kind === "file") return FileIdentityCenter.open(spec.path);
  const { createAwsIdentityCenter } = await import("../adapters/aws/index.js");
  return createAwsIdentityCenter({
    instanceArn: rules.identityCenter?.instanceArn,
    identityStoreId: rules.identityCenter?.identityStoreId,
  });
}
