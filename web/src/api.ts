// The gateway's API as the dashboard calls it: same-origin fetches (the session cookie rides along),
// JSON in and out, and every error as an ApiError with the gateway's code, message and fields.
import type {
  CostSeries,
  IterationsPage,
  JobsPage,
  QualitySeries,
  SystemView,
  TaskStory,
} from "../../src/gateway/views/schemas.ts";

export type {
  CritiqueView,
  IterationView,
  JobSummary,
  TaskView,
} from "../../src/gateway/views/schemas.ts";
export type { CostSeries, IterationsPage, JobsPage, QualitySeries, SystemView, TaskStory };

export type SessionState = { required: boolean; signed_in: boolean; expires_at: string | null };
export type Queues = {
  queues: Record<string, Record<string, number>>;
  paused: Record<string, { reason: string; since: string }>;
  stopped: boolean;
  checkpoint: number;
};
export type ModelCost = {
  model: string;
  runs: number;
  completed: number;
  handoffs: number;
  failed: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
};
export type Submission = {
  spec: string;
  count: number | "infinite";
  model?: string;
  priority?: number;
  budget_usd?: number;
  max_iterations?: number;
};
export type SubmitAccepted = { job_id: string; task_ids: string[]; duplicate: boolean };
export type Published = { subject: string; seq: number };
export type FieldIssue = { path: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldIssue[] = [],
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};

/** Called when the gateway answers 401 (the session expired or was never there). */
export function whenUnauthorized(fn: () => void): void {
  onUnauthorized = fn;
}

async function call<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; fields?: FieldIssue[] } } | null)?.error;
    if (res.status === 401 && !path.startsWith("/auth/")) onUnauthorized();
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText, e?.fields);
  }
  return json as T;
}

/** A query string from the defined values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

const id = (s: string) => encodeURIComponent(s);

export const api = {
  session: () => call<SessionState>("GET", "/auth/session"),
  signIn: (api_key: string) => call<SessionState>("POST", "/auth/session", { api_key }),
  signOut: () => call<SessionState>("DELETE", "/auth/session"),
  system: () => call<SystemView>("GET", "/v1/agents/system"),
  jobs: (p: Record<string, string | number | undefined>) =>
    call<JobsPage>("GET", `/v1/agents/jobs${query(p)}`),
  iterations: (job: string, p: Record<string, string | number | undefined>) =>
    call<IterationsPage>("GET", `/v1/agents/jobs/${id(job)}/iterations${query(p)}`),
  jobSpec: async (job: string) =>
    (await call<{ job?: { spec?: string | null } }>("GET", `/v1/agents/status/${id(job)}`)).job?.spec ?? null,
  story: (task: string) => call<TaskStory>("GET", `/v1/agents/tasks/${id(task)}/story`),
  queues: () => call<Queues>("GET", "/v1/agents/queues"),
  costs: () => call<{ models: ModelCost[]; checkpoint: number }>("GET", "/v1/agents/costs"),
  qualitySeries: (p: Record<string, string | undefined>) =>
    call<QualitySeries>("GET", `/v1/agents/quality/series${query(p)}`),
  costSeries: (p: Record<string, string | undefined>) =>
    call<CostSeries>("GET", `/v1/agents/costs/series${query(p)}`),
  submit: (s: Submission) => call<SubmitAccepted>("POST", "/v1/agents/submit", s),
  cancel: (target: string, reason: string) =>
    call<Published>("POST", `/v1/agents/${id(target)}/cancel`, reason ? { reason } : {}),
  retry: (task: string, reason: string) =>
    call<Published>("POST", `/v1/agents/tasks/${id(task)}/retry`, reason ? { reason } : {}),
  stop: (reason: string) => call<Published>("POST", "/v1/agents/control/stop", reason ? { reason } : {}),
  resume: () => call<Published>("POST", "/v1/agents/control/resume", {}),
  pause: (queue: string, reason: string) =>
    call<Published>("POST", `/v1/agents/queues/${id(queue)}/pause`, reason ? { reason } : {}),
  unpause: (queue: string) => call<Published>("POST", `/v1/agents/queues/${id(queue)}/unpause`, {}),
};
