// A process's Prometheus registry: prom-client's default process and Node.js metrics, less the three
// gauges whose names carry a counter's `_total` suffix (promtool check metrics refuses them). What
// they count is still there, by type: `nodejs_active_handles`, `nodejs_active_requests` and
// `nodejs_active_resources`.
import { collectDefaultMetrics, Registry } from "prom-client";

/** prom-client's default gauges named like counters; dropped from every registry. */
export const MISNAMED_DEFAULTS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
] as const;

/** A registry with the default metrics, each series carrying `labels` (e.g. `{ component: "worker" }`). */
export function createRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  return registry;
}

/**
 * The one metric set of each kind per registry: actors sharing a process (`agents up`, tests with
 * two workers) share its counters instead of registering the same names twice.
 */
export function oncePerRegistry<T>(make: (registry: Registry) => T): (registry: Registry) => T {
  const made = new WeakMap<Registry, T>();
  return (registry) => {
    let m = made.get(registry);
    if (!m) {
      m = make(registry);
      made.set(registry, m);
    }
    return m;
  };
}
