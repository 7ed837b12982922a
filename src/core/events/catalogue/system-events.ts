// System events: emergency stop and queue pauses (on `agents.system`), and rejected messages (on
// `agents.rejected`; older streams hold them on `agents.system`).
import { z } from "zod";
import { QueueName } from "./shared.ts";

export const SystemStopped = z.object({
  type: z.literal("system.stopped"),
  data: z.object({ reason: z.string().max(2000) }),
});

export const SystemResumed = z.object({
  type: z.literal("system.resumed"),
  data: z.object({ reason: z.string().max(2000) }),
});

export const QueuePaused = z.object({
  type: z.literal("queue.paused"),
  data: z.object({ queue: QueueName, reason: z.string().max(2000) }),
});

export const QueueResumed = z.object({
  type: z.literal("queue.resumed"),
  data: z.object({ queue: QueueName }),
});

/** A message on a consumed subject that could never be processed; it was terminated. */
export const MessageRejected = z.object({
  type: z.literal("message.rejected"),
  data: z.object({
    subject: z.string(),
    stream: z.string(),
    stream_seq: z.number().int().nonnegative(),
    consumer: z.string(),
    reason: z.string().max(4000),
    excerpt: z.string().max(1000),
  }),
});

export const SystemEvents = [
  SystemStopped,
  SystemResumed,
  QueuePaused,
  QueueResumed,
  MessageRejected,
] as const;
