// Who may publish and subscribe to what: one NATS user per role with the least subjects it needs,
// the JetStream API included. Permissions act on subjects, never on payloads, so each event type
// has subjects only its owner may write (see src/core/events/ownership.ts); what remains shared is
// listed in docs/production.md.
import { Band, QueueName } from "../core/events/catalogue/index.ts";
import {
  LEASES_BUCKET,
  LIMITS_BUCKET,
  ORCHESTRATOR_SNAPSHOTS_BUCKET,
  OUTPUTS_BUCKET,
  PROJECTION_SNAPSHOTS_BUCKET,
  STREAM_EVENTS,
  STREAM_WORK,
  Subjects,
  SYSTEM_BUCKET,
  SYSTEM_KEY,
  WORKERS_BUCKET,
  workConsumerName,
} from "../core/events/subjects.ts";
import { Route } from "../core/providers/routes.ts";

export const Role = {
  /**
   * REST/SSE gateway with its embedded projections: reads everything, writes submissions, control
   * and the projections' snapshots.
   */
  gateway: "gateway",
  /** Decides and dispatches; owns job, system and work subjects, and the topology. */
  orchestrator: "orchestrator",
  /** Runs the tasks of its queues; a worker serving the critic queue also writes critiques. */
  worker: "worker",
  /** Reads the event stream into read models (e.g. `agents replay` into ArangoDB), with their snapshots. */
  projector: "projector",
  /** People and the backup job: stop, resume, submit, manage streams; writes no events itself. */
  operator: "operator",
  /** Another service that only submits jobs on agents.submit. */
  submitter: "submitter",
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** Subjects allowed and denied (deny wins) for one direction. */
export type SubjectRules = { allow: string[]; deny: string[] };
export type Permissions = {
  publish: SubjectRules;
  subscribe: SubjectRules;
  /** May answer the requests it receives (publish once on each one's reply subject). */
  allowResponses?: boolean;
};

/** One NATS user: its name, role, and for workers the queues it serves. */
export type UserSpec = { user: string; role: Role; queues?: readonly QueueName[] };

/** The default users: a worker for the standard and heavy queues and one for the critic queue. */
export const DEFAULT_USERS: readonly UserSpec[] = [
  { user: "gateway", role: Role.gateway },
  { user: "orchestrator", role: Role.orchestrator },
  { user: "worker", role: Role.worker, queues: ["standard", "heavy"] },
  { user: "critic", role: Role.worker, queues: ["critic"] },
  { user: "projector", role: Role.projector },
  { user: "operator", role: Role.operator },
  { user: "submitter", role: Role.submitter },
];

const API = "$JS.API";
const OBJ_STREAM = `OBJ_${OUTPUTS_BUCKET}`;
const KV_STREAM = `KV_${LEASES_BUCKET}`;
const WORKERS_STREAM = `KV_${WORKERS_BUCKET}`;
const LIMITS_STREAM = `KV_${LIMITS_BUCKET}`;
const SYSTEM_STREAM = `KV_${SYSTEM_BUCKET}`;
const SYSTEM_SUBJECT = `$KV.${SYSTEM_BUCKET}.${SYSTEM_KEY}`;
/** The orchestrator's durable consumer on AGENTS (the Orchestrator's default name). */
const ORCHESTRATOR_CONSUMER = "orchestrator";

/** Reading one stream: info, single messages, and ordered consumers filtered on `filters`. */
function readStream(stream: string, filters: readonly string[]): string[] {
  return [
    `${API}.STREAM.INFO.${stream}`,
    // Single messages; by sequence the request body names what is read, which no permission sees.
    `${API}.STREAM.MSG.GET.${stream}`,
    `${API}.DIRECT.GET.${stream}`,
    `${API}.DIRECT.GET.${stream}.>`,
    // Ordered (ephemeral) consumers: the create subject carries the filter, so it can be limited.
    ...filters.map((f) => `${API}.CONSUMER.CREATE.${stream}.*.${f}`),
    `${API}.CONSUMER.MSG.NEXT.${stream}.*`,
    `${API}.CONSUMER.INFO.${stream}.*`,
    `${API}.CONSUMER.DELETE.${stream}.*`,
  ];
}

/** Nobody but the orchestrator may create, update, pull from or delete its durable consumer. */
const ORCHESTRATOR_CONSUMER_DENY = [
  `${API}.CONSUMER.CREATE.${STREAM_EVENTS}.${ORCHESTRATOR_CONSUMER}`,
  `${API}.CONSUMER.CREATE.${STREAM_EVENTS}.${ORCHESTRATOR_CONSUMER}.>`,
  `${API}.CONSUMER.DURABLE.CREATE.${STREAM_EVENTS}.${ORCHESTRATOR_CONSUMER}`,
  `${API}.CONSUMER.MSG.NEXT.${STREAM_EVENTS}.${ORCHESTRATOR_CONSUMER}`,
  `${API}.CONSUMER.DELETE.${STREAM_EVENTS}.${ORCHESTRATOR_CONSUMER}`,
];

/** Reading every event (folds, SSE, projections). */
const READ_EVENTS = readStream(STREAM_EVENTS, [Subjects.all]);
/** Reading objects of the outputs bucket (one-chunk reads are direct gets, larger ones consumers). */
const READ_OBJECTS = readStream(OBJ_STREAM, [`$O.${OUTPUTS_BUCKET}.C.*`]);
/** Writing objects: chunks and metadata (no purge: replacing an object only leaks its old chunks). */
const WRITE_OBJECTS = [`$O.${OUTPUTS_BUCKET}.C.*`, `$O.${OUTPUTS_BUCKET}.M.*`];
/**
 * Reading and replacing the snapshots of one bucket: its chunks and metadata, and purging the chunks
 * of the snapshot a new one replaces (snapshots are large, so old chunks must not pile up; a purge
 * names its filter in the request body, so this allows purging that bucket's stream, nothing else).
 */
function ownSnapshots(bucket: string): string[] {
  const stream = `OBJ_${bucket}`;
  return [
    ...readStream(stream, [`$O.${bucket}.C.*`]),
    `$O.${bucket}.C.*`,
    `$O.${bucket}.M.*`,
    `${API}.STREAM.PURGE.${stream}`,
  ];
}
/** The orchestrator's state snapshots: its alone (a forged state would be folded on). */
const ORCHESTRATOR_SNAPSHOTS = ownSnapshots(ORCHESTRATOR_SNAPSHOTS_BUCKET);
/** The projections' snapshots: written by whoever runs projections (gateway, projector). */
const PROJECTION_SNAPSHOTS = ownSnapshots(PROJECTION_SNAPSHOTS_BUCKET);
/** Reading the orchestrator's lease (health checks); the bucket holds nothing else. */
const READ_LEASE = [
  `${API}.STREAM.INFO.${KV_STREAM}`,
  `${API}.STREAM.MSG.GET.${KV_STREAM}`,
  `${API}.DIRECT.GET.${KV_STREAM}`,
  `${API}.DIRECT.GET.${KV_STREAM}.$KV.${LEASES_BUCKET}.${ORCHESTRATOR_CONSUMER}`,
];
/**
 * The models' shared limit state: read and compare-and-set its entries, and watch the bucket (an
 * ordered push consumer with flow control) to keep the worker's mirror current.
 */
const READ_LIMITS = [...readStream(LIMITS_STREAM, [`$KV.${LIMITS_BUCKET}.>`]), `$JS.FC.${LIMITS_STREAM}.>`];
const USE_LIMITS = [...READ_LIMITS, `$KV.${LIMITS_BUCKET}.>`];
/**
 * Reading and watching the recorded system state (stop, paused queues): a get, and a KV watch (a
 * push consumer on the one key, with flow control).
 */
const READ_SYSTEM = [...readStream(SYSTEM_STREAM, [SYSTEM_SUBJECT]), `$JS.FC.${SYSTEM_STREAM}.>`];
/** What every JetStream client asks first (account info). */
const JS_INFO = [`${API}.INFO`];
/** Whether the topology exists (config and counts only), for processes that wait for its owner. */
const TOPOLOGY_STREAMS = [
  STREAM_EVENTS,
  STREAM_WORK,
  OBJ_STREAM,
  `OBJ_${ORCHESTRATOR_SNAPSHOTS_BUCKET}`,
  `OBJ_${PROJECTION_SNAPSHOTS_BUCKET}`,
  KV_STREAM,
  SYSTEM_STREAM,
  WORKERS_STREAM,
  LIMITS_STREAM,
];
const SEE_TOPOLOGY = TOPOLOGY_STREAMS.map((s) => `${API}.STREAM.INFO.${s}`);
/** The work consumers' counts (pending, held, redelivered), for the gateway's queue gauges. */
const WATCH_WORK = [`${API}.CONSUMER.INFO.${STREAM_WORK}.*`];

/**
 * Taking work from one queue's consumers on every route (and the lanes from before routing): info,
 * pulls and acks; nothing of other queues.
 */
function takeWork(queue: QueueName): { publish: string[]; subscribe: string[] } {
  const lanes = Band.options.flatMap((band) => [
    ...Route.options.map((route) => ({ route, queue, band })),
    { queue, band },
  ]);
  const names = lanes.map((lane) => workConsumerName(lane));
  return {
    publish: names.flatMap((n) => [
      `${API}.CONSUMER.INFO.${STREAM_WORK}.${n}`,
      `${API}.CONSUMER.MSG.NEXT.${STREAM_WORK}.${n}`,
      `$JS.ACK.${STREAM_WORK}.${n}.>`,
    ]),
    // Wake-ups: a worker hears publishes on its queues' work subjects.
    subscribe: [Subjects.workOf(queue), Subjects.legacyWorkOf(queue)],
  };
}

/** Reading the workers' statuses (health, metrics): the bucket's info, its keys and their values. */
const READ_WORKER_STATUSES = [
  `${API}.STREAM.INFO.${WORKERS_STREAM}`,
  `${API}.STREAM.MSG.GET.${WORKERS_STREAM}`,
  `${API}.DIRECT.GET.${WORKERS_STREAM}`,
  `${API}.DIRECT.GET.${WORKERS_STREAM}.>`,
  // Listing keys is an ordered consumer filtered on the bucket's subjects.
  `${API}.CONSUMER.CREATE.${WORKERS_STREAM}.*.$KV.${WORKERS_BUCKET}.>`,
  `${API}.CONSUMER.MSG.NEXT.${WORKERS_STREAM}.*`,
  `${API}.CONSUMER.INFO.${WORKERS_STREAM}.*`,
  `${API}.CONSUMER.DELETE.${WORKERS_STREAM}.*`,
];
/**
 * A worker's own status entry. Keys derive from worker ids, which a worker picks itself, so the
 * subject cannot be narrowed to one key; a worker could overwrite another's status (listed in
 * docs/production.md as shared).
 */
const WRITE_WORKER_STATUS = [`${API}.STREAM.INFO.${WORKERS_STREAM}`, `$KV.${WORKERS_BUCKET}.>`];

/** Creating and updating the topology: streams, work consumers and buckets. */
const OWN_TOPOLOGY = TOPOLOGY_STREAMS.flatMap((s) => [
  `${API}.STREAM.INFO.${s}`,
  `${API}.STREAM.CREATE.${s}`,
  `${API}.STREAM.UPDATE.${s}`,
]);

/** The permissions of one user; `inbox` is the prefix of its reply subjects. */
export function permissionsFor(spec: UserSpec, inbox: string): Permissions {
  const p = rolePermissions(spec, inbox);
  const tidy = (r: SubjectRules): SubjectRules => ({
    allow: [...new Set(r.allow)],
    deny: [...new Set(r.deny)],
  });
  return {
    publish: tidy(p.publish),
    subscribe: tidy(p.subscribe),
    ...(p.allowResponses ? { allowResponses: true } : {}),
  };
}

function rolePermissions(spec: UserSpec, inbox: string): Permissions {
  const replies = `${inbox}.>`;
  switch (spec.role) {
    case Role.orchestrator:
      return {
        publish: {
          allow: [
            Subjects.jobs,
            Subjects.tasks,
            Subjects.system,
            Subjects.rejected,
            Subjects.workAll,
            ...JS_INFO,
            ...OWN_TOPOLOGY,
            `${API}.CONSUMER.CREATE.${STREAM_WORK}.>`,
            `${API}.CONSUMER.INFO.${STREAM_WORK}.*`,
            // READ_EVENTS covers its own durable consumer too (create, pull, delete).
            ...READ_EVENTS,
            `$JS.ACK.${STREAM_EVENTS}.${ORCHESTRATOR_CONSUMER}.>`,
            ...READ_OBJECTS,
            ...WRITE_OBJECTS,
            ...ORCHESTRATOR_SNAPSHOTS,
            ...READ_LEASE,
            `$KV.${LEASES_BUCKET}.${ORCHESTRATOR_CONSUMER}`,
            // The submit responder stores a requested submission as any submitter would.
            Subjects.submit,
            // It alone records the system state every process obeys.
            ...READ_SYSTEM,
            SYSTEM_SUBJECT,
          ],
          deny: [],
        },
        // Submission requests (`nats req agents.submit.request …`), answered on the requester's inbox.
        subscribe: { allow: [replies, Subjects.submitRequest], deny: [] },
        allowResponses: true,
      };
    case Role.worker: {
      const queues = spec.queues ?? QueueName.options;
      const work = queues.map(takeWork);
      return {
        publish: {
          allow: [
            // Task subjects are shared with the orchestrator: one subject per task is what gives
            // per-task optimistic concurrency (see docs/production.md).
            Subjects.tasks,
            ...(queues.includes("critic") ? [Subjects.critiques] : []),
            Subjects.rejected,
            // A model's day budget found spent (model.day_budget_spent).
            Subjects.limits,
            ...JS_INFO,
            ...SEE_TOPOLOGY,
            // Its tasks, and the control commands it obeys before the orchestrator records them.
            ...readStream(STREAM_EVENTS, [Subjects.tasks, Subjects.control]),
            ...READ_SYSTEM,
            ...work.flatMap((w) => w.publish),
            ...READ_OBJECTS,
            ...WRITE_OBJECTS,
            ...WRITE_WORKER_STATUS,
            ...USE_LIMITS,
          ],
          deny: ORCHESTRATOR_CONSUMER_DENY,
        },
        subscribe: {
          allow: [replies, Subjects.control, ...work.flatMap((w) => w.subscribe)],
          deny: [],
        },
      };
    }
    case Role.gateway:
      return {
        publish: {
          allow: [
            Subjects.submit,
            Subjects.submitRequest,
            Subjects.control,
            ...JS_INFO,
            ...SEE_TOPOLOGY,
            ...WATCH_WORK,
            ...READ_EVENTS,
            ...READ_OBJECTS,
            // The models' shared limit state, for GET /v1/agents/limits (read only).
            ...READ_LIMITS,
            ...PROJECTION_SNAPSHOTS,
            ...READ_LEASE,
            ...READ_WORKER_STATUSES,
          ],
          deny: ORCHESTRATOR_CONSUMER_DENY,
        },
        subscribe: { allow: [replies], deny: [] },
      };
    case Role.projector:
      return {
        publish: {
          allow: [...JS_INFO, ...READ_EVENTS, ...PROJECTION_SNAPSHOTS],
          deny: ORCHESTRATOR_CONSUMER_DENY,
        },
        subscribe: { allow: [replies], deny: [] },
      };
    case Role.operator:
      return {
        publish: {
          allow: [
            Subjects.submit,
            Subjects.submitRequest,
            Subjects.control,
            // The whole JetStream API (provisioning, backup and restore, the nats CLI), snapshot
            // chunks and push-consumer flow control; still no event subject.
            `${API}.>`,
            "$JS.SNAPSHOT.>",
            "$JS.FC.>",
          ],
          deny: [],
        },
        // The nats CLI's default inbox, and `nats sub 'agents.>'`.
        subscribe: { allow: ["_INBOX.>", Subjects.all], deny: [] },
      };
    case Role.submitter:
      return {
        publish: { allow: [Subjects.submit, Subjects.submitRequest, ...JS_INFO], deny: [] },
        subscribe: { allow: [replies], deny: [] },
      };
    default: {
      const never: never = spec.role;
      return never;
    }
  }
}
