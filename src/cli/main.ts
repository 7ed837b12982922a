// The `agents` command line: start the stack or one actor, submit, watch, control.
import { errorMessage } from "../errors/index.ts";
import { runOrchestrator, runWorker } from "./commands/actors.ts";
import { runUp } from "./commands/up.ts";

const USAGE = `usage: agents <command> [options]

commands:
  up             start the local stack (nats-server if none answers, orchestrator, workers)
  orchestrator   run the orchestrator alone (one actor per process)
  worker         run one worker alone (queues from AGENTS_QUEUES)
`;

/** Dispatch to a command; exit 2 on usage errors, 1 on failures. */
async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case "up":
      await runUp();
      return 0;
    case "orchestrator":
      await runOrchestrator();
      return 0;
    case "worker":
      await runWorker();
      return 0;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`agents: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`agents: ${errorMessage(err)}\n`);
    process.exit(1);
  },
);
