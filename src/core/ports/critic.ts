// The critic role of a worker, as the worker sees it: given a critic task's answer, record the
// critique and say how the task ends. Implemented by src/actors/critic; the composition root hands
// it to the worker, so the worker does not import the critic.
import type { EventContext } from "../events/index.ts";
import type { TaskState } from "../lifecycle/index.ts";
import type { RunFields, RunOutcome } from "../worker/outcome.ts";

export type JudgeRequest = {
  task: TaskState;
  attempt: number;
  output: string;
  fields: RunFields;
  /** Metadata for the events the critic writes. */
  meta: EventContext;
};

export type CriticJudge = (r: JudgeRequest) => Promise<RunOutcome>;
