// The process's one Prometheus registry (prom-client): domain counters, HTTP timings, Node's own.
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
} from 'prom-client';

/**
 * Metrics that belong to this process rather than to a database: what its code counted and timed.
 * Prometheus adds up each process's series itself, so counters here are per process by design.
 */
export const processMetrics = new Registry();

let defaultsCollected = false;

/** Node's runtime metrics (CPU, memory, event loop lag, GC), once per process, when /metrics is on. */
export function collectRuntimeMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: processMetrics, prefix: 'subflow_' });
}

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];
const sources = new Set<() => Promise<MetricsJson>>();

/**
 * A work thread counts in its own copy of the counters (a thread has its own modules); /metrics
 * adds them to this thread's, so the process reports one figure per series.
 * @example const remove = addMetricsSource(() => thread.metrics()); … remove();
 */
export function addMetricsSource(source: () => Promise<MetricsJson>): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

/** This process's metrics: this thread's and its work threads', summed series by series. */
export async function processRegistry(): Promise<Registry> {
  if (sources.size === 0) return processMetrics;
  const all = (await Promise.all([
    processMetrics.getMetricsAsJSON(),
    ...[...sources].map((s) => s()),
  ])) as MetricsJson[];
  const threads = new Map<string, number>();
  for (const metrics of all)
    for (const { name } of metrics) threads.set(name, (threads.get(name) ?? 0) + 1);
  // A series one thread alone reports is passed on as it is: aggregating it by its own rule would
  // drop some (process_start_time's rule is 'omit', meant for copies from several processes).
  const merged = all.map((metrics) =>
    metrics.map((m) => (threads.get(m.name) === 1 ? { ...m, aggregator: 'first' as const } : m)),
  );
  return AggregatorRegistry.aggregate(merged);
}
