/**
 * The edge between the run's metric values and CloudWatch: Powertools Metrics writes them to stdout in
 * the Embedded Metric Format, where Lambda's log stream turns them into CloudWatch metrics (no
 * PutMetricData call, no extra IAM right). Values with a `Kind` or `Service` dimension go out as single
 * metrics carrying that dimension too; the rest in one blob.
 */
import { type Metrics, MetricUnit as PowertoolsUnit } from "@aws-lambda-powertools/metrics";
import { MetricUnit, type MetricValue } from "../metrics/run-metrics.js";

const units = {
  [MetricUnit.count]: PowertoolsUnit.Count,
  [MetricUnit.milliseconds]: PowertoolsUnit.Milliseconds,
} as const;

/** Publishes one invocation's values; the dimensions set on `metrics` (service, function) apply to all. */
export function publishRunMetrics(metrics: Metrics, values: MetricValue[]): void {
  for (const value of values) {
    if (value.dimensions === undefined) {
      metrics.addMetric(value.name, units[value.unit], value.value);
      continue;
    }
    const single = metrics.singleMetric();
    for (const [name, dimension] of Object.entries(value.dimensions)) single.addDimension(name, dimension);
    single.addMetric(value.name, units[value.unit], value.value);
  }
  metrics.publishStoredMetrics();
}
