// The projection runner's Prometheus series: events folded into the read models, how long each
// atomic batch took, and follower restarts. (How far behind the stream the projections are is the
// gateway's agents_projection_lag_events, read from the runner at scrape time.)
import { Counter, Histogram, type Registry } from "prom-client";
import { oncePerRegistry } from "../observability/registry.ts";

export class ProjectionMetrics {
  readonly applied: Counter;
  readonly batches: Histogram;
  readonly restarts: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.applied = new Counter({
      name: "agents_projection_events_applied_total",
      help: "Stream events folded into the read models (a rebuild from sequence 1 counts them again)",
      registers,
    });
    this.batches = new Histogram({
      name: "agents_projection_batch_duration_seconds",
      help: "Time to read, fold and write one batch of events with its checkpoint",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.restarts = new Counter({
      name: "agents_projection_restarts_total",
      help: "Times the projection follower failed and restarted from the store's checkpoint",
      registers,
    });
  }
}

/** The projection metrics of a registry (one set per registry, shared by its runners). */
export const projectionMetrics = oncePerRegistry((registry) => new ProjectionMetrics(registry));
