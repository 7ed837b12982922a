// The critic's Prometheus series, recorded once a critique event is stored: scores per dimension
// as histograms (their `_sum / _count` is the average, a trend per model), critiques by whether they
// passed, and critic answers that did not parse. `model` is the model whose output was judged;
// `target_type` the kind of task that produced it (generator, reviser, continuation).
import { Counter, Histogram, type Registry } from "prom-client";
import type { EventData } from "../../core/events/index.ts";
import { oncePerRegistry } from "../../observability/registry.ts";

/** Scores are integers 1–10: one bucket per score. */
const SCORE_BUCKETS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const DIMENSIONS = ["compliance", "uniqueness", "quality"] as const;

export class CriticMetrics {
  private readonly scores: Histogram<"dimension" | "model" | "target_type">;
  private readonly critiques: Counter<"model" | "target_type" | "passed">;
  private readonly unparseable: Counter<"model">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.scores = new Histogram({
      name: "agents_critique_score",
      help: "Critic scores (1-10) by dimension (compliance, uniqueness, quality), judged model and target task type",
      labelNames: ["dimension", "model", "target_type"],
      buckets: SCORE_BUCKETS,
      registers,
    });
    this.critiques = new Counter({
      name: "agents_critiques_total",
      help: "Critiques recorded, by judged model, target task type and whether they passed",
      labelNames: ["model", "target_type", "passed"],
      registers,
    });
    this.unparseable = new Counter({
      name: "agents_critiques_unparseable_total",
      help: "Critic answers that did not parse (critique.unparseable; the critic task is retried), by critic model",
      labelNames: ["model"],
      registers,
    });
  }

  /** A critique.recorded was stored; `model` is the judged output's model. */
  recorded(d: EventData<"critique.recorded">, model: string): void {
    const labels = { model, target_type: d.target_type };
    for (const dimension of DIMENSIONS) this.scores.observe({ ...labels, dimension }, d[dimension]);
    this.critiques.inc({ ...labels, passed: String(d.passed) });
  }

  /** A critique.unparseable was stored for a critic run on `model`. */
  unparsed(model: string): void {
    this.unparseable.inc({ model });
  }
}

/** The critic metrics of a registry (one set per registry). */
export const criticMetrics = oncePerRegistry((registry) => new CriticMetrics(registry));
