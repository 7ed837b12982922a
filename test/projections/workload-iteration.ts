// One iteration's chain as the orchestrator would run it: generator (with retries, validation
// failures, interruptions, reclaims or a dead letter), maybe a continuation, then critic rounds
// with revisions until a critique passes or revisions run out.
import { type Lane, MODELS, type TaskRun } from "./workload-script.ts";

const CRITIC_MODEL = "claude-sonnet-4";

/** A complete iteration on `lane`. */
export function iteration(lane: Lane, n: number, jobIndex: number, rnd: () => number): void {
  const id = (suffix: string) => `${lane.jobId}-i${n}-${suffix}`;
  const model = MODELS[(jobIndex + n) % MODELS.length] ?? "m";
  const gen = lane.task({ id: id("g"), type: "generator", queue: "standard", iteration: n, model });
  gen.queue();
  gen.start(`w${n % 3}`);
  const r = rnd();
  if (r < 0.05) {
    gen.deadLetter();
    lane.job("job.iteration_ended", { iteration: n, outcome: "failed", reason: "dead-lettered" });
    return;
  }
  if (r < 0.2) {
    gen.failAndRetry();
    gen.start(`w${(n + 1) % 3}`);
  } else if (r < 0.3) {
    gen.failValidation();
    gen.start(`w${n % 3}`);
  } else if (r < 0.35) {
    gen.emit("task.interrupted", { reason: "system stopped", worker_id: `w${n % 3}` });
    gen.queue();
    gen.start(`w${(n + 2) % 3}`);
  } else if (r < 0.4) {
    gen.start(`w${(n + 1) % 3}`, true);
  }
  let content: TaskRun = gen;
  if (rnd() < 0.2) {
    gen.finish("task.handoff_requested");
    const spec = {
      id: id("k1"),
      type: "continuation",
      queue: "heavy",
      iteration: n,
      round: 1,
      model,
    } as const;
    content = lane.task({ ...spec, parent: gen.spec.id });
    content.queue();
    content.start(`w${n % 3}`);
  }
  content.finish();
  critiqueRounds(lane, n, content, rnd);
}

function critiqueRounds(lane: Lane, n: number, first: TaskRun, rnd: () => number): void {
  let content = first;
  let best = { id: first.spec.id, score: 0 };
  for (let round = 0; ; round++) {
    const critic = lane.task({
      id: `${lane.jobId}-i${n}-c${round + 1}`,
      type: "critic",
      queue: "critic",
      iteration: n,
      round,
      model: CRITIC_MODEL,
      parent: content.spec.id,
      target: content.spec.id,
    });
    critic.queue();
    critic.start("wc");
    if (rnd() < 0.1) {
      const d = { critic_task_id: critic.spec.id, target_task_id: content.spec.id, iteration: n };
      lane.job("critique.unparseable", { ...d, reason: "no compliance line", excerpt: "I liked it" });
      critic.failAndRetry("critique_unparseable");
      critic.start("wc");
    }
    critic.finish();
    const quality = 4 + Math.floor(rnd() * 7);
    const compliance = 5 + Math.floor(rnd() * 6);
    const passed = quality >= 8 && compliance >= 8;
    lane.job("critique.recorded", {
      critic_task_id: critic.spec.id,
      target_task_id: content.spec.id,
      target_type: content.spec.type,
      iteration: n,
      compliance,
      uniqueness: 1 + Math.floor(rnd() * 10),
      quality,
      critique: `Critique: round ${round}: tighten the intro; note: colons must not break parsing.`,
      model: content.spec.model,
      passed,
    });
    if (quality + compliance > best.score) best = { id: content.spec.id, score: quality + compliance };
    if (passed || round === 2) {
      const outcome = passed ? "passed" : "exhausted";
      lane.job("job.iteration_ended", {
        iteration: n,
        outcome,
        best_task_id: passed ? content.spec.id : best.id,
      });
      return;
    }
    const model = content.spec.model;
    const spec = { type: "reviser", queue: "heavy", iteration: n, round: round + 1, model } as const;
    content = lane.task({ ...spec, id: `${lane.jobId}-i${n}-r${round + 1}`, parent: content.spec.id });
    content.queue();
    content.start(`w${n % 3}`);
    content.finish();
  }
}

/** An iteration interrupted by a cancellation: its generator stops early; returns the live tasks. */
export function cutShort(lane: Lane, n: number, rnd: () => number): TaskRun[] {
  const model = MODELS[n % MODELS.length] ?? "m";
  const gen = lane.task({
    id: `${lane.jobId}-i${n}-g`,
    type: "generator",
    queue: "standard",
    iteration: n,
    model,
  });
  const r = rnd();
  if (r > 0.3) gen.queue();
  if (r > 0.6) gen.start(`w${n % 3}`);
  if (r > 0.85) gen.failAndRetry();
  return [gen];
}
