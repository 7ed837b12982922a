// `agents task TASK [--prompts] [--json]`: a task's whole story (GET /v1/agents/tasks/{id}/story):
// its facts, each attempt (with the exact prompt its agent received under --prompts), the output,
// critiques, validation, progress and the timeline of its events. Agent text is printed as text.
import { loadConfig } from "../../config/index.ts";
import type { TaskStory, TextBody } from "../../gateway/views/schemas.ts";
import { parseCommand } from "../args.ts";
import { call, targetFromConfig } from "../client.ts";
import { Exit, usage } from "../exit.ts";
import { firstLine, printJson, table, usd } from "../format.ts";

export const TASK_USAGE = `usage: agents task TASK_ID [--prompts] [--json]
  a task's story: facts, attempts, output, critiques, validation, timeline;
  --prompts prints the exact prompt each attempt's agent received`;

/** A text from the outputs bucket, with a note when it was cut or is gone. */
function text(body: TextBody | null, none = "(none)"): string {
  if (!body) return none;
  if (body.text === null) return `(gone from the outputs bucket: ${body.ref ?? "inline"})`;
  const cut = body.truncated ? `\n… (cut: ${body.chars} characters in all; --json has the same cut)` : "";
  return `${body.text}${cut}`;
}

function section(title: string, body: string): string {
  return `\n== ${title} ==\n${body.replace(/\n+$/, "")}`;
}

/** The story as text. */
export function storyText(s: TaskStory, prompts: boolean): string {
  const k = s.task;
  const out: string[] = [
    `task ${k.task_id} (${k.type}, iteration ${k.iteration}${k.round ? `, round ${k.round}` : ""}) of job ${k.job_id}: ${k.status}`,
    `  queue ${k.queue}  priority ${k.priority}  attempts ${k.attempts}  model ${k.model}  cost ${usd(k.cost_usd)}  tokens ${k.usage.input_tokens} in / ${k.usage.output_tokens} out`,
    ...(k.type === "continuation" && k.parent_task_id ? [`  continues ${k.parent_task_id}`] : []),
    ...(k.target_task_id ? [`  judges ${k.target_task_id}`] : []),
    ...(k.last_error ? [`  last error: ${firstLine(k.last_error, 200)}`] : []),
    ...(k.cancel_reason ? [`  cancelled: ${k.cancel_reason}`] : []),
    ...(k.waiting
      ? [
          `  waiting since ${k.waiting.since}: model ${k.waiting.model}, ${k.waiting.why}, until ${k.waiting.until}`,
        ]
      : []),
  ];
  const attempts = s.attempts.map((a) => [
    a.attempt,
    a.started_at.replace(/\.\d+Z$/, "Z"),
    a.worker_id,
    a.model,
    a.outcome,
    a.duration_ms === null ? "-" : `${(a.duration_ms / 1000).toFixed(1)} s`,
    usd(a.cost_usd),
    firstLine(a.error, 50),
  ]);
  out.push(
    section(
      "attempts",
      attempts.length
        ? table(["attempt", "started", "worker", "model", "outcome", "took", "cost", "error"], attempts)
        : "(not started)",
    ),
  );
  if (prompts) {
    if (s.attempts.length === 0) out.push(section("prompt (as created; no attempt yet)", text(s.prompt)));
    for (const a of s.attempts)
      out.push(section(`prompt of attempt ${a.attempt} (${a.prompt.chars} characters)`, text(a.prompt)));
  } else {
    const last = s.attempts.at(-1)?.prompt ?? s.prompt;
    out.push(
      section(
        "prompt",
        `${(last.text ?? "")
          .split("\n")
          .filter((l) => l.trim())
          .slice(0, 3)
          .map((l) => firstLine(l, 100))
          .join("\n")}\n… (${last.chars} characters; --prompts prints each attempt's in full)`,
      ),
    );
  }
  out.push(section("output", text(s.output)));
  if (s.remaining_work) out.push(section("remaining work (handed off)", s.remaining_work));
  if (s.critiques.length)
    out.push(
      section(
        "critiques",
        s.critiques
          .map(
            (c) =>
              `${c.critic_task_id} on ${c.task_id}: compliance ${c.compliance} · uniqueness ${c.uniqueness} · quality ${c.quality}${c.passed ? " · passed" : " · below the bar"}${c.near_duplicate ? " · near duplicate" : ""}\n  ${c.critique.replaceAll("\n", "\n  ")}`,
          )
          .join("\n"),
      ),
    );
  if (s.validation.specs.length || s.validation.results.length)
    out.push(
      section(
        "validation",
        [
          `validators: ${s.validation.specs.map((v) => v.type).join(", ") || "(none)"}`,
          ...s.validation.results.map(
            (r) =>
              `attempt ${r.attempt}: ${r.passed ? "passed" : `failed: ${r.failures.map((f) => `${f.type}: ${f.error}`).join("; ")}`}`,
          ),
        ].join("\n"),
      ),
    );
  if (s.progress.length)
    out.push(
      section(
        "progress",
        s.progress
          .map(
            (p) =>
              `${p.at}  ${(p.elapsed_ms / 1000).toFixed(1)} s${p.turns === null ? "" : `  ${p.turns} turns`}  ${firstLine(p.message, 80)}`,
          )
          .join("\n"),
      ),
    );
  out.push(
    section(
      "timeline",
      table(
        ["seq", "time", "event"],
        s.timeline.map((e) => [e.seq, e.at, e.type]),
      ),
    ),
  );
  return `${out.join("\n")}\n`;
}

/** Print a task's story. */
export async function runTask(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { prompts: { type: "boolean", default: false }, json: { type: "boolean", default: false } },
    TASK_USAGE,
  );
  const [id, ...rest] = positionals;
  if (!id || rest.length > 0) throw usage(TASK_USAGE);
  const story = await call<TaskStory>(
    targetFromConfig(loadConfig()),
    "GET",
    `/v1/agents/tasks/${encodeURIComponent(id)}/story`,
  );
  if (values.json) printJson(story);
  else process.stdout.write(storyText(story, values.prompts));
  return Exit.Ok;
}
