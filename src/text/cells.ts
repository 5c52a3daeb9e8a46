/**
 * Table cells for the CSV and markdown renderers (the IAM user audit, the access report), so every
 * report escapes the same way.
 */

/** Quotes a cell when it holds a comma, quote or line break; a leading =+-@ is defused for spreadsheets. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One markdown table row; pipes and backslashes escaped, line breaks as `<br>`. */
export function markdownRow(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>")).join(" | ")} |`;
}
