import type { ProgressEvent, ProgressListener } from "../sync/ports.js";
import type { CliIo } from "./io.js";

/**
 * Progress for long reads and applies: one self-overwriting line on stderr when a person is watching,
 * nothing at all otherwise (logs and pipes stay clean).
 */
export function createProgressReporter(io: CliIo): {
  listener: ProgressListener;
  changeApplied: () => void;
  done: () => void;
} {
  if (!io.isInteractive) return { listener: () => {}, changeApplied: () => {}, done: () => {} };
  const counts = new Map<string, ProgressEvent>();
  let applied = 0;
  let lastDraw = 0;
  let drawn = false;
  const draw = (force: boolean) => {
    const now = performance.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const parts = [...counts.values()].map((event) =>
      event.total === undefined
        ? `${event.phase} ${event.done}`
        : `${event.phase} ${event.done}/${event.total}`,
    );
    if (applied > 0) parts.push(`applied ${applied}`);
    io.stderr(`\r\x1b[2K${parts.join(" · ")}`);
    drawn = true;
  };
  return {
    listener: (event) => {
      counts.set(event.phase, event);
      draw(false);
    },
    changeApplied: () => {
      applied += 1;
      draw(false);
    },
    done: () => {
      if (drawn) io.stderr("\r\x1b[2K");
    },
  };
}
