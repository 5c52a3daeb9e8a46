/**
 * What CloudWatch receives: the EMF lines Powertools Metrics prints to stdout for a run's values, read
 * back as JSON (namespace, dimension sets, units, values), as Lambda's log stream hands them to CloudWatch.
 */
import { Metrics } from "@aws-lambda-powertools/metrics";
import { afterEach, describe, expect, it, vi } from "vitest";
import { publishRunMetrics } from "../../src/handlers/publish-metrics.js";
import { type MetricValue, metricsNamespace } from "../../src/metrics/run-metrics.js";

interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `publish` with stdout captured; returns the EMF lines it printed. */
function emfPrintedBy(publish: () => void): EmfLine[] {
  const printed: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  publish();
  vi.restoreAllMocks();
  return printed
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as EmfLine);
}

const values: MetricValue[] = [
  { name: "RunSucceeded", unit: "Count", value: 1 },
  { name: "RunFailed", unit: "Count", value: 0 },
  { name: "GuardStops", unit: "Count", value: 0 },
  { name: "ChangesApplied", unit: "Count", value: 5 },
  { name: "ChangesApplied", unit: "Count", value: 3, dimensions: { Kind: "createUser" } },
  { name: "ChangesApplied", unit: "Count", value: 2, dimensions: { Kind: "addMember" } },
  { name: "ReadTime", unit: "Milliseconds", value: 840 },
  { name: "Throttles", unit: "Count", value: 2, dimensions: { Service: "identitystore" } },
];

describe("the run's metrics as CloudWatch gets them", () => {
  it("go out in the IdcSync namespace with the service and function dimensions the alarms name", () => {
    const lines = emfPrintedBy(() => {
      const metrics = new Metrics({
        namespace: metricsNamespace,
        serviceName: "idc-sync",
        defaultDimensions: { FunctionName: "idc-sync-prod-sync" },
      });
      publishRunMetrics(metrics, values);
    });

    // One line per dimensioned value (they are flushed as they come), then the blob of the rest.
    expect(lines).toHaveLength(4);
    const blob = lines.at(-1)!;
    expect(blob._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: "IdcSync",
        Dimensions: [["service", "FunctionName"]],
        Metrics: [
          { Name: "RunSucceeded", Unit: "Count" },
          { Name: "RunFailed", Unit: "Count" },
          { Name: "GuardStops", Unit: "Count" },
          { Name: "ChangesApplied", Unit: "Count" },
          { Name: "ReadTime", Unit: "Milliseconds" },
        ],
      },
    ]);
    expect(blob).toMatchObject({
      service: "idc-sync",
      FunctionName: "idc-sync-prod-sync",
      RunSucceeded: 1,
      RunFailed: 0,
      GuardStops: 0,
      ChangesApplied: 5,
      ReadTime: 840,
    });
  });

  it("give each kind and service its own line with that dimension beside the common ones", () => {
    const lines = emfPrintedBy(() => {
      const metrics = new Metrics({
        namespace: metricsNamespace,
        serviceName: "idc-sync",
        defaultDimensions: { FunctionName: "idc-sync-prod-sync" },
      });
      publishRunMetrics(metrics, values);
    });

    const single = lines.slice(0, -1).map((line) => ({
      dimensions: line._aws.CloudWatchMetrics[0]?.Dimensions,
      metrics: line._aws.CloudWatchMetrics[0]?.Metrics,
      kind: line.Kind,
      service: line.Service,
      applied: line.ChangesApplied,
      throttles: line.Throttles,
    }));
    expect(single).toEqual([
      {
        dimensions: [["service", "FunctionName", "Kind"]],
        metrics: [{ Name: "ChangesApplied", Unit: "Count" }],
        kind: "createUser",
        service: undefined,
        applied: 3,
        throttles: undefined,
      },
      {
        dimensions: [["service", "FunctionName", "Kind"]],
        metrics: [{ Name: "ChangesApplied", Unit: "Count" }],
        kind: "addMember",
        service: undefined,
        applied: 2,
        throttles: undefined,
      },
      {
        dimensions: [["service", "FunctionName", "Service"]],
        metrics: [{ Name: "Throttles", Unit: "Count" }],
        kind: undefined,
        service: "identitystore",
        applied: undefined,
        throttles: 2,
      },
    ]);
    expect(lines.every((line) => line._aws.CloudWatchMetrics[0]?.Namespace === "IdcSync")).toBe(true);
    expect(
      lines.every((line) => line.service === "idc-sync" && line.FunctionName === "idc-sync-prod-sync"),
    ).toBe(true);
  });
});
