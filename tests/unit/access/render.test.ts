import { describe, expect, it } from "vitest";
import { buildAccessReport } from "../../../src/access/build-report.js";
import { accessHtmlData, renderAccessHtml } from "../../../src/access/render-html.js";
import {
  renderAccessCsv,
  renderAccessJson,
  renderAccessMarkdown,
} from "../../../src/access/render-report.js";
import { anIcGroup } from "../../builders/model.js";
import { accessInputs } from "./builders.js";

/** A report with a hostile group name and description from Identity Center, as anyone could type them. */
const hostile = buildAccessReport(
  accessInputs({
    actual: (state) => ({
      ...state,
      groups: [
        ...state.groups,
        anIcGroup({
          id: "evil",
          displayName: '=HYPERLINK("x")|</script><script>alert(1)</script>',
          description: "<!-- </script>",
          members: ["eng@example.com"],
        }),
      ],
      assignments: [
        ...state.assignments,
        {
          principalType: "GROUP",
          principalName: '=HYPERLINK("x")|</script><script>alert(1)</script>',
          permissionSetName: "Admin",
          accountId: "111111111111",
        },
      ],
    }),
  }),
);

describe("the HTML page", () => {
  const html = renderAccessHtml(hostile);

  it("is one file that loads nothing: inline style and script, and a policy that forbids fetching", () => {
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("carries names from Identity Center as data that cannot close its script element", () => {
    const scripts = html.match(/<script\b/g) ?? [];
    expect(scripts).toHaveLength(2);
    const data = html.slice(html.indexOf('id="access-data">') + 'id="access-data">'.length);
    expect(JSON.parse(data.slice(0, data.indexOf("</script>")))).toEqual(
      JSON.parse(JSON.stringify(accessHtmlData(hostile))),
    );
  });

  it("keeps each distinct list of selector sources once however many members share it", () => {
    const data = accessHtmlData(hostile);
    expect(data.memberSourceSets.length).toBeLessThan(hostile.memberships.length);
    expect(data.memberships).toHaveLength(hostile.memberships.length * 4);
    expect(data.grants).toHaveLength(hostile.grants.length * 5);
  });
});

describe("the markdown, CSV and JSON reports", () => {
  it("escapes pipes in markdown cells", () => {
    const markdown = [...renderAccessMarkdown(hostile)].join("");
    expect(markdown).toContain('group =HYPERLINK("x")\\|</script><script>alert(1)</script> (unmanaged)');
  });

  it("defuses spreadsheet formulas and quotes commas in CSV", () => {
    const csv = [...renderAccessCsv(hostile)].join("");
    expect(csv).toContain(`'=HYPERLINK(""x"")|</script>`);
  });

  it("is one valid JSON document", () => {
    const document = JSON.parse([...renderAccessJson(hostile)].join(""));
    expect(document.paths.length).toBe(
      document.summary.paths.granted +
        document.summary.paths.pending +
        document.summary.paths.unexplained +
        document.summary.paths.unmanaged,
    );
  });
});
