// Wait for the moment an event is published, to inject a fault right then (e.g. kill the
// orchestrator while it is deciding on that event).
import { type AgentEventType, Subjects } from "../../src/core/events/index.ts";
import type { TestStack } from "./stack.ts";

/** Resolves true as soon as a task event of `type` is published, false after `timeoutMs`. */
export function nextTaskEvent(stack: TestStack, type: AgentEventType, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sub.unsubscribe();
      resolve(false);
    }, timeoutMs);
    const sub = stack.nc.subscribe(Subjects.tasks, {
      callback: (_err, m) => {
        if (!m.string().includes(`"type":"${type}"`)) return;
        clearTimeout(timer);
        sub.unsubscribe();
        resolve(true);
      },
    });
  });
}
