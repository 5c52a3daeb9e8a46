// The Google push receiver (serverless.yml, functions.googlePush): idc-sync's, from the installed package.
export { handler } from "idc-sync/lambda/google-push";
