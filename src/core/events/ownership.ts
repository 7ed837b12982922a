// Which subjects each event type may be stored on. NATS permissions decide who may publish on a
// subject (see src/nats/permissions.ts); this rule makes every reader ignore an event stored on a
// subject its type does not belong to. Together they mean an identity allowed to write one kind of
// subject cannot speak for another actor there: a worker may write task subjects, and a
// `job.completed` it writes on one is not a job's completion.
import type { AgentEvent, AgentEventType } from "./catalogue/index.ts";
import { Subjects } from "./subjects.ts";

/** The kinds of event subjects of the AGENTS stream. */
export const SubjectKind = {
  job: "job",
  task: "task",
  critique: "critique",
  system: "system",
  rejected: "rejected",
  limits: "limits",
} as const;
export type SubjectKind = (typeof SubjectKind)[keyof typeof SubjectKind];

const { job, task, critique, system, rejected, limits } = SubjectKind;

/**
 * Where each type lives, its current subject first. Critiques and rejections moved to subjects of
 * their own (so that the orchestrator alone writes job and system subjects); streams written
 * before hold them at the old place, which stays accepted so those streams replay the same.
 */
export const EVENT_HOMES: Readonly<Record<AgentEventType, readonly [SubjectKind, ...SubjectKind[]]>> = {
  "job.submitted": [job],
  "job.accepted": [job],
  "job.rejected": [job],
  "job.wave_planned": [job],
  "job.iteration_ended": [job],
  "job.completed": [job],
  "job.cancelled": [job],
  "job.budget_exceeded": [job],
  "job.reopened": [job],
  "critique.recorded": [critique, job],
  "critique.unparseable": [critique, job],
  "task.created": [task],
  "task.queued": [task],
  "task.started": [task],
  "task.progress": [task],
  "task.completed": [task],
  "task.handoff_requested": [task],
  "task.failed": [task],
  "validation.failed": [task],
  "task.retry_scheduled": [task],
  "task.dead_lettered": [task],
  "task.interrupted": [task],
  "task.cancel_requested": [task],
  "task.cancelled": [task],
  "task.requeued": [task],
  "system.stopped": [system],
  "system.resumed": [system],
  "queue.paused": [system],
  "queue.resumed": [system],
  "message.rejected": [rejected, system],
  "model.day_budget_spent": [limits],
};

/** The kind of an event subject and the id its last token names (job or task id), if any. */
export function subjectKind(subject: string): { kind: SubjectKind; id?: string } | undefined {
  if (subject === Subjects.system) return { kind: system };
  if (subject === Subjects.rejected) return { kind: rejected };
  if (subject === Subjects.limits) return { kind: limits };
  const parts = subject.split(".");
  if (parts.length !== 3 || parts[0] !== "agents" || !parts[2]) return undefined;
  const id = parts[2];
  switch (parts[1]) {
    case "job":
      return { kind: job, id };
    case "task":
      return { kind: task, id };
    case "critique":
      return { kind: critique, id };
    default:
      return undefined;
  }
}

/**
 * Why an event may not be taken from this subject, or undefined when it may: its type must live
 * on this kind of subject, and the subject's id must be the event's own (job id on a job subject,
 * task id on a task or critique subject).
 */
export function misplaced(subject: string, event: AgentEvent): string | undefined {
  const where = subjectKind(subject);
  const homes = EVENT_HOMES[event.type];
  if (!where || !homes.includes(where.kind))
    return `${event.type} does not belong on ${subject} (it is stored on ${homes.map(subjectPattern).join(" or ")})`;
  const own = where.kind === job ? event.job_id : event.task_id;
  if (where.id !== undefined && own !== undefined && where.id !== own)
    return `${event.type} for ${own} does not belong on ${subject}`;
  return undefined;
}

/** The subject pattern of a kind, as the docs write it (`agents.task.<taskId>`). */
export function subjectPattern(kind: SubjectKind): string {
  switch (kind) {
    case job:
      return Subjects.job("<jobId>");
    case task:
      return Subjects.task("<taskId>");
    case critique:
      return Subjects.critique("<criticTaskId>");
    case system:
      return Subjects.system;
    case rejected:
      return Subjects.rejected;
    case limits:
      return Subjects.limits;
    default: {
      const never: never = kind;
      return never;
    }
  }
}
