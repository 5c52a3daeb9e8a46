/**
 * Welcome and farewell messages from the templates kept in the rules repository. Templates are
 * mustache (`{{name}}`, sections `{{#accounts}}...{{/accounts}}`, `{{^emailOtp}}...{{/emailOtp}}`);
 * values are escaped for Slack mrkdwn (&, <, >) rather than HTML. Pure: template and facts in, text out.
 */
import Mustache from "mustache";
import type { JoinerAccess } from "../sync/joiner-access.js";
import { shorten, slackLimits } from "./slack-limits.js";

/** What a welcome template can use. */
export interface WelcomeView {
  name: string;
  displayName: string;
  email: string;
  portalUrl: string;
  /** One entry per account: its name (or id), id, and the permission sets there. */
  accounts: { account: string; accountId: string; permissionSets: string }[];
  hasAccess: boolean;
  /**
   * True when the instance e-mails a one-time password at the first sign-in ("Send email OTP"); false
   * (the default) when an administrator has to give the person one.
   */
  emailOtp: boolean;
}

/** What a farewell template can use. */
export interface FarewellView {
  userName: string;
  /** What was removed, one line each ("membership developers", "user"). */
  removed: string[];
  reason: string;
}

export function welcomeView(
  joiner: JoinerAccess,
  options: { portalUrl: string; emailOtp: boolean; accountNames?: Record<string, string> },
): WelcomeView {
  const byAccount = new Map<string, string[]>();
  for (const grant of joiner.grants) {
    byAccount.set(grant.accountId, [...(byAccount.get(grant.accountId) ?? []), grant.permissionSetName]);
  }
  return {
    name: joiner.givenName,
    displayName: joiner.displayName,
    email: joiner.email,
    portalUrl: options.portalUrl,
    accounts: [...byAccount.entries()].map(([accountId, sets]) => ({
      account: options.accountNames?.[accountId] ?? accountId,
      accountId,
      permissionSets: sets.join(", "),
    })),
    hasAccess: byAccount.size > 0,
    emailOtp: options.emailOtp,
  };
}

/** Renders a template; the result fits one chat.postMessage text. */
export function renderTemplate(template: string, view: WelcomeView | FarewellView): string {
  const text = Mustache.render(template, view, undefined, { escape: escapeMrkdwn });
  return shorten(text.trim(), slackLimits.messageText);
}

/** Checks a template parses; the problem in words, or undefined. */
export function templateProblem(template: string): string | undefined {
  try {
    Mustache.parse(template);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function escapeMrkdwn(value: unknown): string {
  return String(value).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The welcome message when the rules name no template of their own. */
export const defaultWelcomeTemplate = `Hello {{name}}, you now have access to AWS through the company's single sign-on.
{{#hasAccess}}

*Your access*
{{#accounts}}
• {{account}} ({{accountId}}): {{permissionSets}}
{{/accounts}}
{{/hasAccess}}

*Signing in the first time*
1. Open the AWS access portal: {{portalUrl}}
2. Sign in with your username {{email}}.
{{#emailOtp}}
3. AWS e-mails you a one-time password at this first sign-in: enter it, then choose your password and set up MFA when asked.
{{/emailOtp}}
{{^emailOtp}}
3. AWS does not send you an invitation or a password: ask an AWS administrator for a one-time password, sign in with it, then choose your password and set up MFA when asked.
{{/emailOtp}}
`;

/** The farewell notice when the rules name no template of their own. */
export const defaultFarewellTemplate = `:wave: AWS access removed for {{userName}} ({{reason}}):
{{#removed}}
• {{.}}
{{/removed}}
`;
