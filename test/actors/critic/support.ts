// Helpers for the critic and quality integration suites: wait for a job, read its task events.
import { Subjects } from "../../../src/core/events/index.ts";
import { ofType, type TestStack } from "../../support/index.ts";

type Stored = Awaited<ReturnType<TestStack["events"]>>;

/** Wait until the job has completed; returns its job-subject events and its critiques, in stream order. */
export async function jobDone(stack: TestStack, jobId: string, timeoutMs = 45_000): Promise<Stored> {
  const job = await stack.waitFor(
    Subjects.job(jobId),
    (es) => ofType(es, "job.completed").length > 0,
    timeoutMs,
  );
  // Critics record critiques on their task's own subject (agents.critique.<criticTaskId>).
  const critiques = (await stack.events(Subjects.critiques)).filter((e) => e.event.job_id === jobId);
  return [...job, ...critiques].sort((a, b) => a.seq - b.seq);
}

/** Every task event of one job, in stream order. */
export async function taskEventsOf(stack: TestStack, jobId: string): Promise<Stored> {
  return (await stack.events(Subjects.tasks)).filter((e) => e.event.job_id === jobId);
}

/** A spec with a marker no other test in the stack uses, plus fixture directives. */
export function uniqueSpec(title: string, ...directives: string[]): { spec: string; key: string } {
  const key = `${title.replace(/\W+/g, "-")}-${process.pid}-${Date.now().toString(36)}`;
  const lines = [`${title} (case ${key})`, ...directives.map((d) => `FIXTURE: ${d.replaceAll("KEY", key)}`)];
  return { spec: lines.join("\n"), key };
}

/** Fixture runs whose prompt is for `role` (its first line) and holds `marker`. */
export async function runsOf(
  stack: TestStack,
  role: "generator" | "critic" | "reviser" | "continuation",
  marker: string,
): Promise<Array<{ prompt: string; startedAt: string }>> {
  return (await stack.agentRuns()).filter(
    (r) => r.prompt.startsWith(`ROLE: ${role}\n`) && r.prompt.includes(marker),
  );
}
