/**
 * Long lists in Slack messages, kept within Slack's limits with an honest "… and N more" that is never
 * cut off. Pure.
 *
 * The limits, as Slack documents them:
 * - "You can include up to 50 blocks in each message" (docs.slack.dev/reference/block-kit/blocks).
 * - Section block `text`: "Maximum length for the text in this field is 3000 characters" (same page,
 *   section block); header block text: 150 characters.
 * - chat.postMessage `text`: "Provide no more than 40,000 characters or risk truncation"
 *   (docs.slack.dev/reference/methods/chat.postMessage).
 * - Button `value`: "Maximum length for this field is 2000 characters"; button text 75
 *   (docs.slack.dev/reference/block-kit/block-elements/button-element).
 * Slack also refuses messages whose blocks hold about 13,000 characters in all with
 * `msg_blocks_too_long`, a limit its pages do not state (reported in slackapi/bolt-js issue 2509: "the
 * exact character limit is at 13297 characters", lower with a divider). Messages here stay under 12,000
 * characters of block text, the stricter reading.
 */

export const slackLimits = {
  blocksPerMessage: 50,
  sectionText: 3_000,
  headerText: 150,
  messageText: 40_000,
  buttonText: 75,
  buttonValue: 2_000,
  /** All block text of one message together (see above: undocumented, observed near 13,000). */
  blockTextBudget: 12_000,
} as const;

/** One bullet of a list: its text (mrkdwn, escaped) and how many changes it stands for. */
export interface ListEntry {
  text: string;
  /** 1 for one change; a group ("480 memberships in aws-admins") stands for all of its changes. */
  items: number;
}

export interface FittedList {
  /** Section texts, each within `slackLimits.sectionText`; the last ends with the "and N more" line. */
  sections: string[];
  /** Changes shown (entries' `items` summed) and changes left out. */
  shown: number;
  more: number;
}

/** The longest one entry's text may be; a longer one is shortened with "…" (a line, never the count). */
export const entryTextLimit = 1_000;

/** "… and 12 more changes" (a singular noun for one). */
export function moreLine(more: number, noun: readonly [singular: string, plural: string]): string {
  return `… and ${more} more ${more === 1 ? noun[0] : noun[1]}`;
}

/**
 * Packs entries into at most `maxSections` section texts holding at most `budget` characters in all.
 * Entries are kept whole and in order; those that do not fit are counted, and the "… and N more" line
 * that says so is reserved space from the start, so it always fits and is never shortened.
 */
export function fitList(
  entries: readonly ListEntry[],
  options: { maxSections: number; budget: number; noun: readonly [string, string] },
): FittedList {
  const total = entries.reduce((sum, entry) => sum + entry.items, 0);
  // The longest "and N more" this list can need, with the newline before it.
  const reserve = moreLine(total, options.noun).length + 1;
  const sections: string[] = [];
  let used = 0;
  let current = "";
  let shown = 0;
  const maxSections = Math.max(1, options.maxSections);
  for (const entry of entries) {
    const text = shorten(entry.text, entryTextLimit);
    const joined = current === "" ? text : `${current}\n${text}`;
    if (
      joined.length + reserve <= slackLimits.sectionText &&
      used + text.length + 1 + reserve <= options.budget
    ) {
      used += joined.length - current.length;
      current = joined;
      shown += entry.items;
      continue;
    }
    // Start a new section if one is left and the budget allows; otherwise stop listing.
    if (
      current !== "" &&
      sections.length + 1 < maxSections &&
      used + text.length + reserve <= options.budget
    ) {
      sections.push(current);
      current = text;
      used += text.length;
      shown += entry.items;
      continue;
    }
    break;
  }
  const more = total - shown;
  if (more > 0)
    current = current === "" ? moreLine(more, options.noun) : `${current}\n${moreLine(more, options.noun)}`;
  if (current !== "") sections.push(current);
  return { sections, shown, more };
}

/** Shortens a line to `limit` characters (code points), marking the cut with "…". */
export function shorten(text: string, limit: number): string {
  const points = [...text];
  return points.length <= limit ? text : `${points.slice(0, limit - 1).join("")}…`;
}
