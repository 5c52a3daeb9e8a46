/**
 * `--subject person:EMAIL|group:EMAIL|...`, repeatable, on `plan` and `apply`: a targeted run (README
 * "Targeted runs") instead of a full one.
 */
import { InvalidArgumentError, Option } from "commander";
import { parseSubject, type SyncScope, type SyncSubject } from "../sync/run-scope.js";

export function subjectOption(): Option {
  return new Option(
    "--subject <subject>",
    "plan only for this person or group (person:EMAIL, group:EMAIL, person:ic:ID, ...); repeatable",
  ).argParser((value: string, previous: SyncSubject[] | undefined) => {
    const parsed = parseSubject(value);
    if ("problem" in parsed) throw new InvalidArgumentError(parsed.problem);
    return [...(previous ?? []), parsed.subject];
  });
}

/** `{ scope }` for runSync when subjects were given; nothing (a full run) otherwise. */
export function targetedScope(subjects: SyncSubject[] | undefined): { scope?: SyncScope } {
  return subjects === undefined || subjects.length === 0 ? {} : { scope: { kind: "targeted", subjects } };
}
