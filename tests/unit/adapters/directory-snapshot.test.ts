import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseDirectorySnapshot } from "../../../src/adapters/file/directory-snapshot.js";
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
});
