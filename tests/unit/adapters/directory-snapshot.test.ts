import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  directoryFromSnapshot,
  directoryToSnapshotText,
  parseDirectorySnapshot,
} from "../../../src/adapters/file/directory-snapshot.js";
import { StateFileError } from "../../../src/sync/errors.js";
import { examples } from "../../cli/cli-harness.js";

describe("a directory snapshot file", () => {
  it("reads the same snapshot from JSON as from YAML", async () => {
    const yamlText = await readFile(examples("directory.yaml"), "utf8");
    const jsonText = JSON.stringify(parse(yamlText));

    expect(parseDirectorySnapshot(jsonText, "directory.json")).toEqual(
      parseDirectorySnapshot(yamlText, "directory.yaml"),
    );
  });

  it("says where broken JSON breaks, as the YAML parser sees it", () => {
    const broken = '{\n  "users": [\n    { "primaryEmail": "a@example.com", }\n  ]\n  "groups": []\n}\n';

    expect(() => parseDirectorySnapshot(broken, "directory.json")).toThrow(StateFileError);
    expect(() => parseDirectorySnapshot(broken, "directory.json")).toThrow(
      /^directory\.json: not valid YAML or JSON: .*line 5/s,
    );
  });

  it("carries Google's 'all users' member through nested groups and writes it back", () => {
    const text = [
      "users: [{ primaryEmail: ann@example.com, givenName: Ann, familyName: Abe }]",
      "groups:",
      "  - { email: everyone@example.com, name: Everyone, allUsers: true }",
      "  - { email: aws@example.com, name: AWS, members: [everyone@example.com, guest@gmail.com] }",
      "  - { email: ops@example.com, name: Ops, members: [ann@example.com] }",
    ].join("\n");

    const directory = directoryFromSnapshot(parseDirectorySnapshot(text, "directory.yaml"));
    const again = directoryFromSnapshot(
      parseDirectorySnapshot(directoryToSnapshotText(directory), "again.yaml"),
    );

    expect(
      directory.groups.map(({ email, memberEmails, allUsers }) => ({ email, memberEmails, allUsers })),
    ).toEqual([
      { email: "everyone@example.com", memberEmails: [], allUsers: true },
      { email: "aws@example.com", memberEmails: ["guest@gmail.com"], allUsers: true },
      { email: "ops@example.com", memberEmails: ["ann@example.com"], allUsers: undefined },
    ]);
    expect(again.groups).toEqual([...directory.groups].sort((a, b) => a.email.localeCompare(b.email)));
  });
});
