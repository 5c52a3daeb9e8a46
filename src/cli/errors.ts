/**
 * The CLI's own errors: a flag or an argument that cannot be used. Thrown by commands, turned into a
 * message and exit 64 by `runCli`; nothing has been read or changed when one is thrown.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
