// The event catalogue: every lifecycle event as one zod discriminated union with metadata.
import { z } from "zod";
import { JobEvents } from "./job-events.ts";
import { LimitsEvents } from "./limits-events.ts";
import { Id, SCHEMA_VERSIONS } from "./shared.ts";
import { SystemEvents } from "./system-events.ts";
import { TaskEvents } from "./task-events.ts";

export * from "./job-events.ts";
export * from "./limits-events.ts";
export * from "./shared.ts";
export * from "./submission.ts";
export * from "./system-events.ts";
export * from "./task-events.ts";
export * from "./work-item.ts";

/** Metadata every event carries beside `type` and `data`. */
export const EventMetadata = z.object({
  /** Unique id; also the Nats-Msg-Id, so publishing it twice stores it once. */
  id: z.string().min(1).max(128),
  /** The catalogue version it was written with (see SCHEMA_VERSION). */
  schema_version: z.literal(SCHEMA_VERSIONS),
  occurred_at: z.iso.datetime(),
  job_id: Id.optional(),
  task_id: Id.optional(),
  /** The event (or message) that caused this one. */
  causation_id: z.string().max(128).optional(),
  /** Groups everything that flowed from one submission (the job id). */
  correlation_id: z.string().max(128).optional(),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

const bodies = [...JobEvents, ...TaskEvents, ...SystemEvents, ...LimitsEvents];
const withMeta = bodies.map((b) => b.extend(EventMetadata.shape)) as unknown as {
  [K in keyof typeof bodies]: (typeof bodies)[K] extends z.ZodObject<infer S>
    ? z.ZodObject<S & typeof EventMetadata.shape>
    : never;
};

type EventSchemas = typeof JobEvents | typeof TaskEvents | typeof SystemEvents | typeof LimitsEvents;
type AnyBody = EventSchemas[number];
type WithMeta<B> = B extends z.ZodObject<infer S> ? z.ZodObject<S & typeof EventMetadata.shape> : never;

export const AgentEvent = z.discriminatedUnion(
  "type",
  withMeta as unknown as [WithMeta<AnyBody>, ...WithMeta<AnyBody>[]],
);
export type AgentEvent = z.infer<typeof AgentEvent>;
export type AgentEventType = AgentEvent["type"];
export type EventOf<T extends AgentEventType> = Extract<AgentEvent, { type: T }>;
export type EventData<T extends AgentEventType> = EventOf<T>["data"];

/** Every event type with its body schema (no metadata), for docs and JSON Schema export. */
export const EVENT_BODIES: ReadonlyArray<AnyBody> = bodies;
export const EVENT_TYPES = bodies.map((b) => b.shape.type.value) as AgentEventType[];
