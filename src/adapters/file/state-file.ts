/**
 * The Identity Center state file: a JSON picture of users, groups with members, permission sets and
 * assignments. `--target file:PATH` plans and applies against it; `snapshot identity-center` writes one;
 * the AWS emulator can be seeded from one. A missing file is an empty Identity Center; a file that
 * exists but cannot be read or parsed is an error, and such a file is never overwritten.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { StateFileError } from "../../sync/errors.js";
import type { IdentityCenterState } from "../../sync/model.js";
import { writeFileAtomically } from "./atomic-write.js";

const enterpriseSchema = z.strictObject({
  employeeNumber: z.string().optional(),
  costCenter: z.string().optional(),
  organization: z.string().optional(),
  division: z.string().optional(),
  department: z.string().optional(),
  manager: z.string().optional(),
});

const customerManagedPolicySchema = z.strictObject({ name: z.string(), path: z.string().default("/") });

const stateFileSchema = z.strictObject({
  version: z.literal(1),
  users: z.array(
    z.strictObject({
      id: z.string(),
      userName: z.string(),
      displayName: z.string(),
      givenName: z.string(),
      familyName: z.string(),
      email: z.string(),
      title: z.string().optional(),
      enterprise: enterpriseSchema.optional(),
      // As the Identity Store returns them for a user a SCIM provisioner created (User.ExternalIds).
      externalIds: z
        .array(z.strictObject({ issuer: z.string(), id: z.string() }))
        .min(1)
        .max(10)
        .optional(),
    }),
  ),
  groups: z.array(
    z.strictObject({
      id: z.string(),
      displayName: z.string(),
      description: z.string().optional(),
      members: z.array(z.string()).optional(),
    }),
  ),
  permissionSets: z.array(
    z.strictObject({
      arn: z.string(),
      name: z.string(),
      /** The permission set carries the managed-by=idc-sync tag (idc-sync created it). */
      managedByTag: z.boolean().optional(),
      description: z.string().optional(),
      sessionDuration: z.string(),
      relayState: z.string().optional(),
      managedPolicyArns: z.array(z.string()),
      customerManagedPolicies: z.array(customerManagedPolicySchema),
      inlinePolicy: z.string().optional(),
      permissionsBoundary: z
        .union([
          z.strictObject({ kind: z.literal("managed"), managedPolicyArn: z.string() }),
          z.strictObject({ kind: z.literal("customerManaged"), policy: customerManagedPolicySchema }),
        ])
        .optional(),
      tags: z.record(z.string(), z.string()),
      provisionedAccountIds: z.array(z.string()),
      outdatedAccountIds: z.array(z.string()).optional(),
    }),
  ),
  assignments: z.array(
    z.strictObject({
      principalType: z.enum(["USER", "GROUP"]),
      principalName: z.string(),
      permissionSetName: z.string(),
      accountId: z.string(),
    }),
  ),
});

export function emptyIdentityCenterState(): IdentityCenterState {
  return { users: [], groups: [], permissionSets: [], assignments: [] };
}

/** Parses state file text; throws StateFileError naming the file and what is wrong. */
export function parseStateFile(text: string, path: string): IdentityCenterState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(
      `${path} is not valid JSON (${(error as Error).message}); it was left untouched`,
      path,
      { cause: error },
    );
  }
  const parsed = stateFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new StateFileError(
      `${path} is not an idc-sync state file; it was left untouched:\n${problems.join("\n")}`,
      path,
    );
  }
  const { version: _version, ...state } = parsed.data;
  return state;
}

/** Loads a state file; a missing file is an empty Identity Center (a new target). */
export async function loadStateFile(path: string): Promise<IdentityCenterState> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyIdentityCenterState();
    throw new StateFileError(`cannot read state file ${path}: ${(error as Error).message}`, path, {
      cause: error,
    });
  }
  return parseStateFile(text, path);
}

export function stateFileText(state: IdentityCenterState): string {
  return `${JSON.stringify({ version: 1, ...state }, null, 2)}\n`;
}

/** Writes atomically (temporary file, then rename) so a killed run never leaves half a file behind. */
export async function saveStateFile(path: string, state: IdentityCenterState): Promise<void> {
  try {
    await writeFileAtomically(path, stateFileText(state));
  } catch (error) {
    throw new StateFileError(`cannot write state file ${path}: ${(error as Error).message}`, path, {
      cause: error,
    });
  }
}
