import { createInterface } from "node:readline/promises";
import type { CliIo } from "./io.js";

/** The real process: stdout, stderr, the terminal and the environment. */
export function nodeIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isInteractive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    ask: async (question) => {
      const readline = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await readline.question(question);
      } finally {
        readline.close();
      }
    },
    env: process.env,
    cwd: process.cwd(),
  };
}
