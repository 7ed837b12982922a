// JSON Schemas (draft 2020-12) of every event and plain-JSON message, generated from the zod
// catalogue so services in other languages can validate what they publish on our subjects.
import { z } from "zod";
import { SystemRecord } from "../control/system-state.ts";
import {
  AgentEvent,
  ControlCancel,
  ControlQueue,
  ControlRetry,
  ControlStopResume,
  SCHEMA_VERSION,
  Submission,
  WorkItem,
} from "./catalogue/index.ts";
import { EVENT_HOMES, subjectPattern } from "./ownership.ts";
import { STREAM_EVENTS, STREAM_WORK, Subjects, SYSTEM_BUCKET, SYSTEM_KEY } from "./subjects.ts";

/** Base of every schema's `$id`; a file's `$id` is this plus its file name. */
export const SCHEMA_ID_BASE = "https://infinite-agents.dev/schemas/";

export const INDEX_FILE = "index.json";

type JsonObject = { [key: string]: unknown };

type Entry = {
  name: string;
  schema: z.ZodType;
  subjects: string[];
  description: string;
  /** Constraints zod checks in code (refine, trim) that the generator cannot see. */
  patch?: (json: JsonObject) => JsonObject;
};

// The full events as AgentEvent parses them: body plus metadata.
function eventEntries(): Entry[] {
  return AgentEvent.options.map((schema) => {
    const type = schema.shape.type.value;
    // Where it is written now (older streams may hold some types elsewhere too: see ownership.ts).
    const subject = subjectPattern(EVENT_HOMES[type][0]);
    return {
      name: type,
      schema,
      subjects: [subject],
      description:
        `Event "${type}" (${versionNote(type)}), stored in stream ${STREAM_EVENTS} on subject ` +
        `${subject}. Metadata beside type and data: id (also the Nats-Msg-Id), schema_version, ` +
        "occurred_at, and optional job_id, task_id, causation_id, correlation_id.",
    };
  });
}

/** Which schema_version an event of `type` is written with (see schemaVersionOf). */
function versionNote(type: string): string {
  if (type === "task.created") return "schema_version 2 when it carries queued, else 1";
  if (type === "job.submitted") return "schema_version 2 when it carries accepted, else 1";
  return `schema_version 1; readers accept 1 to ${SCHEMA_VERSION}`;
}

const messageEntries: Entry[] = [
  {
    name: "submission",
    schema: Submission,
    subjects: [Subjects.submit],
    description:
      `A job submission: plain JSON published on ${Subjects.submit} (stream ${STREAM_EVENTS}) by any ` +
      "service, and the body of POST /v1/agents/submit.",
    // zod trims `spec` before checking its length: blank text is refused.
    patch: (json) => withProperty(json, "spec", { pattern: "\\S" }),
  },
  {
    name: "work-item",
    schema: WorkItem,
    subjects: ["agents.work.<queue>.<band>"],
    description:
      `A work dispatch on agents.work.<queue>.<band> (work-queue stream ${STREAM_WORK}), derived by the ` +
      "orchestrator from task.queued and task.retry_scheduled; the task's events say what to run.",
  },
  {
    name: "control-stop-resume",
    schema: ControlStopResume,
    subjects: [Subjects.controlStop, Subjects.controlResume],
    description:
      `Emergency stop or resume, published on ${Subjects.controlStop} or ${Subjects.controlResume}: ` +
      `nats pub ${Subjects.controlStop} '{"reason":"…"}'.`,
  },
  {
    name: "control-cancel",
    schema: ControlCancel,
    subjects: [Subjects.controlCancel],
    description: `Cancel one job or one task, published on ${Subjects.controlCancel}.`,
    // zod refines "exactly one of job_id or task_id"; `properties` keeps Ajv's strictRequired happy.
    patch: (json) => ({
      ...json,
      oneOf: ["job_id", "task_id"].map((key) => ({ properties: { [key]: true }, required: [key] })),
    }),
  },
  {
    name: "control-queue",
    schema: ControlQueue,
    subjects: [Subjects.controlPause, Subjects.controlUnpause],
    description: `Pause or unpause one queue, published on ${Subjects.controlPause} or ${Subjects.controlUnpause}.`,
  },
  {
    name: "control-retry",
    schema: ControlRetry,
    subjects: [Subjects.controlRetry],
    description:
      `Retry one dead-lettered task, published on ${Subjects.controlRetry}: the orchestrator records ` +
      "job.reopened (when its iteration had ended) and task.requeued, and the task runs once more.",
  },
  {
    name: "system-state",
    schema: SystemRecord,
    subjects: [`KV ${SYSTEM_BUCKET} key ${SYSTEM_KEY}`],
    description:
      `The recorded system state (emergency stop, paused queues) in KV bucket ${SYSTEM_BUCKET}, key ` +
      `${SYSTEM_KEY}: written by the leading orchestrator after it records system.stopped, ` +
      `system.resumed, queue.paused or queue.resumed on ${Subjects.system}; read at start and watched ` +
      "by workers and the gateway.",
  },
];

function entries(): Entry[] {
  return [...eventEntries(), ...messageEntries].sort((a, b) => a.name.localeCompare(b.name));
}

/** File name of a schema in docs/schemas. */
export function schemaFileName(name: string): string {
  return `${name}.schema.json`;
}

/** The JSON Schema of every event type (full event, metadata included) and plain-JSON message, by name. */
export function eventJsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const e of entries()) {
    const generated = z.toJSONSchema(e.schema, { io: "input", target: "draft-2020-12" }) as JsonObject;
    const json = e.patch ? e.patch(generated) : generated;
    out[e.name] = {
      ...json,
      $id: `${SCHEMA_ID_BASE}${schemaFileName(e.name)}`,
      title: e.name,
      description: e.description,
    };
  }
  return out;
}

/** Every file of docs/schemas (name → text): one per schema plus index.json listing them. */
export function renderSchemaFiles(): Map<string, string> {
  const schemas = eventJsonSchemas();
  const files = new Map<string, string>();
  const index = entries().map((e) => ({
    name: e.name,
    file: schemaFileName(e.name),
    $id: `${SCHEMA_ID_BASE}${schemaFileName(e.name)}`,
    subjects: e.subjects,
  }));
  for (const { name, file } of index) files.set(file, stableJson(schemas[name]));
  files.set(
    INDEX_FILE,
    stableJson({
      $comment: "Generated from src/core/events/catalogue by `npm run schemas`; do not edit by hand.",
      schemas: index,
    }),
  );
  return files;
}

/** Pretty JSON with object keys sorted at every depth and a trailing newline (stable diffs). */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as JsonObject).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

// Add keywords to one property of an object schema.
function withProperty(json: JsonObject, property: string, extra: JsonObject): JsonObject {
  const properties = json.properties as Record<string, JsonObject> | undefined;
  const current = properties?.[property];
  if (!properties || !current) throw new Error(`schema has no property ${property}`);
  return { ...json, properties: { ...properties, [property]: { ...current, ...extra } } };
}
