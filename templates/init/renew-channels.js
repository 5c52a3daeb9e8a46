// The watch channel renewer (serverless.yml, functions.renewChannels): idc-sync's, from the installed package.
export { handler } from "idc-sync/lambda/renew-channels";
