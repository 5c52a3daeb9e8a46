import { runCli } from "./main.js";
import { nodeIo } from "./node-io.js";

// The AWS SDK warns on every run under Node 20 that its 2027 releases will need Node 22. The command
// works on both and says so in the README; one warning per invocation on stderr only buries the output
// people read. Set the variable to "false" to see it again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// Entry point of the `idc-sync` command. Output is flushed before the exit code is set.
process.exitCode = await runCli(process.argv.slice(2), nodeIo());
