// The `agents` command line: start the stack or one part of it, submit, watch, read, control.
// Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 not ready.
import { errorMessage } from "../core/errors.ts";
import { redactText } from "../observability/redact.ts";
import { CliError, Exit } from "./exit.ts";

const USAGE = `usage: agents <command> [options]        (in a clone: npx agents …, or npm link once)

stack:
  up [--demo]              start the local stack (nats-server if none answers, projections, orchestrator,
                           a worker, the gateway); Ctrl-C stops it. --demo: the offline echo agent,
                           slowed down, with some low scores and handoffs, to watch a job's lifecycle
  orchestrator | worker    run one actor alone (the production layout)
  gateway                  run the gateway with its projections alone
jobs:
  submit SPEC_FILE --count N|infinite [--model M] [--budget USD] [--priority P] [--key K]
                           (SPEC_FILE - reads stdin; --key: your job key, the same key names the same job)
  jobs [--status S] [--search TEXT] [--from T] [--to T] [--limit N] [--all]
                           jobs, newest first
  status [ID]              counts per queue × status and the workers' executors, or one job's /
                           task's status
  watch [JOB]              live progress (ends when JOB ends: exit 0 completed, 1 otherwise)
  tasks JOB [--status S] [--queue Q] [--all]
                           a job's tasks in dispatch order
  task TASK_ID [--prompts] a task's story: attempts (the exact prompts with --prompts), output,
                           critiques, validation, timeline
  result ID [--partial] [--page-size N]
                           a task's output, or every iteration's best output of a job
                           (fetched N iterations a request, default 100), with the files its agents wrote
  artifact TASK NAME [-o FILE]
                           download one file a task's agent wrote (stdout without -o)
  history TASK_ID          a task's events from the stream (reads NATS_URL directly)
  cancel ID [--reason R]   cancel a job or a task
  job-id KEY               the job id a job key names (what the orchestrator derives)
  retry TASK [--reason R]  run a dead-lettered task once more (its job re-opens if it had completed)
quality and cost:
  quality [--spec S] [--job J] [--model M] [--bucket minute|hour|day]
                           critiques with their averages, or average scores over time
  costs [--bucket minute|hour|day]
                           spend per model, or spend over time
control:
  stop [--reason R]        emergency stop: running agents are stopped, no work is taken, no wave
                           is planned (stop means pause: nothing is lost)
  resume                   take work again; infinite jobs go on where the stop paused them
  pause QUEUE [--reason R] stop handing out work from a queue (standard, heavy, critic); unpause QUEUE
  replay                   rebuild the projections from sequence 1
operations (read NATS_URL directly):
  nats-config [--worker NAME=QUEUES]… [--nkey USER=KEY]… [--out FILE]
                           the nats-server users and permissions (deploy/nats/auth.conf)
  backup DIR               snapshot every stream (events, work, outputs, leases) into DIR
  restore DIR              restore them from DIR into a server that has none of them
  auth setup [--credentials-file PATH]
                           store Claude credentials in AGENTS_CLAUDE_AUTH_DIR for the workers: a
                           \`claude setup-token\` token read from stdin (or asked for, not echoed),
                           or a copy of a .credentials.json
  auth status              the workers' executors' credentials: state, method, expiry

Every command but up, orchestrator, worker, gateway and nats-config takes --json. Client commands talk to
AGENTS_URL (default http://127.0.0.1:$AGENTS_PORT) with AGENTS_API_KEY as bearer.
Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 not ready.
`;

/** Dispatch to a command; its exit code. */
async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  // Commands load on demand: client commands start fast without the actors, executors and validators.
  switch (command) {
    case "up":
      return (await import("./commands/up.ts")).runUp(args);
    case "orchestrator":
      await (await import("./commands/actors.ts")).runOrchestrator();
      return Exit.Ok;
    case "worker":
      await (await import("./commands/actors.ts")).runWorker(args);
      return Exit.Ok;
    case "gateway":
      await (await import("./commands/gateway.ts")).runGateway();
      return Exit.Ok;
    case "submit":
      return (await import("./commands/submit.ts")).runSubmit(args);
    case "status":
      return (await import("./commands/read.ts")).runStatus(args);
    case "watch":
      return (await import("./commands/watch.ts")).runWatch(args);
    case "result":
      return (await import("./commands/read.ts")).runResult(args);
    case "artifact":
      return (await import("./commands/read.ts")).runArtifact(args);
    case "history":
      return (await import("./commands/history.ts")).runHistory(args);
    case "replay":
      return (await import("./commands/replay.ts")).runReplay(args);
    case "nats-config":
      return (await import("./commands/nats-config.ts")).runNatsConfig(args);
    case "backup":
    case "restore":
      return (await import("./commands/backup.ts")).runBackupCommand(command, args);
    case "auth":
      return (await import("./commands/auth.ts")).runAuth(args);
    case "jobs":
      return (await import("./commands/jobs.ts")).runJobs(args);
    case "tasks":
      return (await import("./commands/jobs.ts")).runTasks(args);
    case "task":
      return (await import("./commands/story.ts")).runTask(args);
    case "costs":
      return (await import("./commands/insights.ts")).runCosts(args);
    case "quality":
      return (await import("./commands/insights.ts")).runQuality(args);
    case "job-id":
      return (await import("./commands/job-id.ts")).runJobId(args);
    case "stop":
    case "resume":
    case "cancel":
    case "pause":
    case "unpause":
    case "retry":
      return (await import("./commands/control.ts")).runControl(command, args);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? Exit.Usage : Exit.Ok;
    default:
      process.stderr.write(`agents: unknown command "${command}"\n${USAGE}`);
      return Exit.Usage;
  }
}

// parseArgs throws TypeErrors with these codes for unknown or malformed options: usage errors.
function isUsageError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const json = process.argv.includes("--json");
    if (err instanceof CliError) {
      if (json && err.body !== undefined) process.stdout.write(`${JSON.stringify(err.body, null, 2)}\n`);
      process.stderr.write(`agents: ${redactText(err.message)}\n`);
      process.exit(err.exitCode);
    }
    // A failure can quote a URL with credentials or a secret (a fetch error does): never print them.
    process.stderr.write(`agents: ${redactText(errorMessage(err))}\n`);
    process.exit(isUsageError(err) ? Exit.Usage : Exit.Failure);
  },
);
