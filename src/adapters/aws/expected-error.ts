/**
 * The one way the AWS adapters accept an error that is an expected answer rather than a failure:
 * "already gone" on a delete (ResourceNotFoundException), "already there" on a create that an earlier,
 * interrupted run made (ConflictException), "not allowed to list this way" (AccessDeniedException).
 * The caller names the error and says what it means; any other error goes on as it was.
 */
import { awsErrorName } from "./aws-caller.js";

/** The AWS error names the adapters expect as answers. */
export type ExpectedAwsError =
  | "AccessDeniedException"
  | "ConflictException"
  | "ResourceNotFoundException"
  // Organizations' own names for "attached already", "not attached", "already gone".
  | "DuplicatePolicyAttachmentException"
  | "PolicyNotAttachedException"
  | "PolicyNotFoundException";

/**
 * The result of `send`, or, when it fails with the `expected` error, what `meaning` makes of that error
 * (`meaning` may throw it again when a read shows it was not the harmless case after all).
 */
export async function expectingAwsError<T, U>(
  send: () => Promise<T>,
  expected: ExpectedAwsError,
  meaning: (error: unknown) => U | Promise<U>,
): Promise<T | U> {
  try {
    return await send();
  } catch (error) {
    if (awsErrorName(error) !== expected) throw error;
    return await meaning(error);
  }
}

/** `send`, where the `expected` error means there is nothing to do (a delete of something already gone). */
export async function toleratingAwsError(
  send: () => Promise<unknown>,
  expected: ExpectedAwsError,
): Promise<void> {
  await expectingAwsError(send, expected, () => undefined);
}
