// A small, hand-written history with known answers, for the query contract.
import { newEvent, Subjects } from "../../src/core/events/index.ts";
import { buildMessage, Lane, type WorkloadMessage } from "./workload-script.ts";

export const SPEC_A = "Write a haiku about queues.";
export const SPEC_B = "Summarise the week's incidents.";

/** Job ja: iteration 1 passed after a retry; iteration 2 handed off. Job jb (infinite): two tasks waiting. */
export function smallHistory(): WorkloadMessage[] {
  const a = new Lane("ja");
  const submission = { spec: SPEC_A, count: 2, model: "claude-sonnet-4", budget_usd: 5 };
  a.job("job.submitted", { submission, source: "nats", submit_seq: 1 });
  const accepted = { mode: "fixed", wave_size: 2, max_iterations: 2, max_attempts: 3 } as const;
  a.job("job.accepted", { ...accepted, max_continuations: 2, max_revisions: 2, model: "claude-sonnet-4" });
  const g1 = a.task({
    id: "ta-g1",
    type: "generator",
    queue: "standard",
    iteration: 1,
    model: "claude-sonnet-4",
  });
  g1.queue();
  g1.start("w1");
  g1.failAndRetry();
  g1.start("w2");
  g1.finish();
  const c1 = a.task({
    id: "ta-c1",
    type: "critic",
    queue: "critic",
    iteration: 1,
    model: "claude-sonnet-4",
    target: "ta-g1",
    parent: "ta-g1",
  });
  c1.queue();
  c1.start("wc");
  c1.finish();
  const scores = { compliance: 8, uniqueness: 7, quality: 9 };
  a.job("critique.recorded", {
    critic_task_id: "ta-c1",
    target_task_id: "ta-g1",
    target_type: "generator",
    iteration: 1,
    ...scores,
    critique: "Critique: crisp: keeps to 17 syllables",
    model: "claude-sonnet-4",
    passed: true,
  });
  a.job("job.iteration_ended", { iteration: 1, outcome: "passed", best_task_id: "ta-g1" });
  const model2 = "openai/gpt-4o-mini";
  const g2 = a.task({ id: "ta-g2", type: "generator", queue: "standard", iteration: 2, model: model2 });
  g2.queue();
  g2.start("w1");
  g2.finish("task.handoff_requested");
  const k1 = {
    id: "ta-k1",
    type: "continuation",
    queue: "heavy",
    iteration: 2,
    round: 1,
    model: model2,
  } as const;
  a.task({ ...k1, parent: "ta-g2" }).queue();
  const b = new Lane("jb");
  b.job("job.submitted", {
    submission: { spec: SPEC_B, count: "infinite" },
    source: "gateway",
    submit_seq: 2,
  });
  b.task({ id: "tb-g1", type: "generator", queue: "standard", iteration: 1, model: model2 }).queue();
  b.task({ id: "tb-g3", type: "generator", queue: "standard", iteration: 3, model: model2 });
  b.job("critique.recorded", {
    critic_task_id: "tb-c1",
    target_task_id: "tb-g1",
    target_type: "generator",
    iteration: 1,
    compliance: 5,
    uniqueness: 6,
    quality: 4,
    critique: "Critique: too vague",
    model: model2,
    passed: false,
  });
  const bad = new Lane("jz");
  bad.job("job.rejected", {
    reasons: [{ path: "count", message: "must be ≥ 1" }],
    excerpt: "{}",
    submit_seq: 3,
  });
  const steps = [...a.steps, ...b.steps, ...bad.steps];
  const messages = steps.map((s, i) => buildMessage(s, i + 1, "s"));
  const rejected = {
    subject: Subjects.submit,
    stream: "AGENTS",
    stream_seq: 7,
    consumer: "orchestrator",
    reason: "not JSON",
    excerpt: "{",
  };
  const event = newEvent("message.rejected", rejected, { id: "s-rej", now: Date.UTC(2025, 0, 2) });
  messages.push({ kind: "event", subject: Subjects.system, event });
  messages.push({ kind: "json", subject: Subjects.controlStop, payload: { reason: "drill" }, id: "s-stop" });
  return messages;
}
