// Preloaded (`node --import`) into the benchmarked idc-sync child process only. It records the peak
// resident set size and the span from the first API request to the last response, so the benchmark
// measures the sync itself rather than Node and tsx starting up; it writes them to the file named by
// IDC_SYNC_BENCH_PROBE when the process exits.
import diagnostics from "node:diagnostics_channel";
import { writeFileSync } from "node:fs";

const out = process.env.IDC_SYNC_BENCH_PROBE;
let firstRequestMs;
let lastResponseMs;
let requests = 0;
const started = () => {
  requests += 1;
  firstRequestMs ??= performance.now();
};
// The last response per AWS operation (X-Amz-Target), so the benchmark can tell when the leavers' deny
// was in force and when the last removal was done.
const lastResponseByTarget = {};
const finished = (message) => {
  lastResponseMs = performance.now();
  const target = message?.request?.getHeader?.("x-amz-target");
  if (typeof target === "string") lastResponseByTarget[target] = lastResponseMs;
};
// node:http (the AWS SDK, and gaxios when it falls back to it) and undici (global fetch) both report here.
diagnostics.subscribe("http.client.request.start", started);
diagnostics.subscribe("http.client.response.finish", finished);
diagnostics.subscribe("undici:request:create", started);
diagnostics.subscribe("undici:request:trailers", finished);

if (out) {
  process.on("exit", () => {
    writeFileSync(
      out,
      JSON.stringify({
        maxRssKb: process.resourceUsage().maxRSS,
        requests,
        firstRequestMs,
        lastResponseMs,
        lastResponseByTarget,
        exitMs: performance.now(),
      }),
    );
  });
}
