import { runCli } from "./main.js";
import { nodeIo } from "./node-io.js";

// Entry point of the `idc-sync` command. Output is flushed before the exit code is set.
process.exitCode = await runCli(process.argv.slice(2), nodeIo());
