// The Lambda function: idc-sync's handler from the installed package, bundled by serverless-esbuild with
// the rules (serverless.yml). Upgrading idc-sync is a version bump in package.json.
export { handler } from "idc-sync/lambda";
// The Slack interaction endpoint (approvals of stopped plans), a second function of the same bundle.
export { handler as slackInteractions } from "idc-sync/lambda/slack-interactions";
