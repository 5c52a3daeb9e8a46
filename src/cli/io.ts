/** What a command may touch of the process, injected so tests run the CLI in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when a person is at the terminal: progress is shown and `apply` asks before changing anything. */
  isInteractive: boolean;
  /** Asks a yes/no question on the terminal. */
  ask: (question: string) => Promise<string>;
  env: Record<string, string | undefined>;
  cwd: string;
}
