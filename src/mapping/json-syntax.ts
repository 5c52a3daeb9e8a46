/**
 * Where a JSON text stops being JSON, in words that never quote the text. `JSON.parse` stays the judge
 * of what is valid; jsonc-parser (Microsoft's scanner behind VS Code's JSON support, strict settings
 * here) only finds the line and column and names the mistake.
 */
import { findNodeAtLocation, parseTree, printParseErrorCode, visit } from "jsonc-parser";

const mistakes: Record<ReturnType<typeof printParseErrorCode>, string> = {
  InvalidSymbol: "unexpected character",
  InvalidNumberFormat: "invalid number",
  PropertyNameExpected: "expected a property name in double quotes",
  ValueExpected: "expected a value",
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: "unexpected text after the end of the JSON",
  InvalidCommentToken: "comments are not allowed in JSON",
  UnexpectedEndOfComment: "a comment is not closed",
  UnexpectedEndOfString: "a string is not closed",
  UnexpectedEndOfNumber: "a number is cut short",
  InvalidUnicode: "invalid \\u escape",
  InvalidEscapeCharacter: "invalid escape in a string",
  InvalidCharacter: "control character in a string",
  "<unknown ParseErrorCode>": "invalid JSON",
};

/** `line 3, column 7: expected ','` for the first mistake of a text that `JSON.parse` refuses. */
export function describeJsonSyntaxError(text: string): string {
  if (text.trim() === "") return "the file is empty";
  let first: string | undefined;
  visit(
    text,
    {
      onError: (code, _offset, _length, line, character) => {
        first ??= `line ${line + 1}, column ${character + 1}: ${mistakes[printParseErrorCode(code)]}`;
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  return first ?? "invalid JSON";
}

/**
 * `line 5, column 17` of the node at `path` in a JSON text that parses (the key of its property with
 * `at: "key"`): a position only, never the text there.
 */
export function jsonPosition(
  text: string,
  path: readonly (string | number)[],
  at: "key" | "value" = "value",
): string {
  const root = parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
  const node = root === undefined ? undefined : findNodeAtLocation(root, [...path]);
  const target = at === "key" && node?.parent?.type === "property" ? node.parent : node;
  const offset = target?.offset ?? root?.offset ?? 0;
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return `line ${line}, column ${column}`;
}
