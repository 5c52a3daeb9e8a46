// The queue consumer, the event path's one writer (serverless.yml, functions.syncQueue): idc-sync's, from
// the installed package, bundled with the rules like handler.js.
export { handler } from "idc-sync/lambda/sync-queue";
