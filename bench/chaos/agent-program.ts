// The agent the fault suite runs through the `command` executor: a small POSIX shell program (a shell
// starts in a millisecond, where a node program costs a core for a tenth of a second, and the suite
// starts thousands). It reads the prompt on stdin and obeys `CHAOS: …` lines of the spec:
//   sleep MIN MAX    wait a random MIN..MAX ms (every role, so critic tasks are in flight too)
//   fail-once        exit 3 on the task's first run (generator only); a retry succeeds
//   print-env        answer with the whole environment, one NAME=value a line (a hostile agent)
//   fork SECONDS     start `sleep SECONDS` as its own child and note "agentPid childPid" in forked
//   hang             never answer (until killed)
//   bait N           answer with N letters and no '#': catastrophic for ([A-Za-z0-9]+ ?)+#
// Critic prompts (a `ROLE: critic` line) get a passing critique and judge prompts (asking for
// llm_call's JSON verdict) a passing verdict; every other answer is random text, so no two iterations
// look alike to the near-duplicate check. Each run appends
// "role pid ppid task startedAtMs cwd" to CHAOS_STATE_DIR/runs.log: the ppid is the worker.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Fields the LLM judges' prompts ask for (src/validation/judges.ts, as llm_call's). */
const JUDGE_FIELDS = ["validation_passed", "contradictions_found"] as const;

// A plain template: \${ is the shell's own expansion, \\ a backslash the shell sees.
const PROGRAM = `#!/bin/sh
prompt=$(cat)
state=\${CHAOS_STATE_DIR:-/tmp}
# The working folder is <data>/work/<task>/<attempt>: the task id names per-task state.
task=$(basename "$(dirname "$PWD")")
has() { printf '%s\\n' "$prompt" | grep -qxF "$1"; }
directive() { printf '%s\\n' "$prompt" | sed -n "s/^CHAOS: $1 //p" | head -n 1; }
random() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }
role=generator
if has 'ROLE: critic'; then role=critic; fi
judge=none
for field in ${JUDGE_FIELDS.join(" ")}; do
  if printf '%s' "$prompt" | grep -qF ""$field""; then role=judge; judge=$field; fi
done
echo "$role $$ $PPID $task $(date +%s%3N) $PWD" >> "$state/runs.log"

range=$(directive sleep)
if [ -n "$range" ]; then
  set -- $range
  ms=$(( $1 + $(random) % ( \${2:-$1} - $1 + 1 ) ))
  sleep "$(( ms / 1000 )).$(printf '%03d' $(( ms % 1000 )))"
fi
case $role in
  critic)
    printf 'compliance: 9\\nuniqueness: 9\\nquality: 9\\nCritique: chaos critic %s\\n' "$(random)"
    exit 0 ;;
  judge)
    if [ "$judge" = contradictions_found ]; then
      echo '{"contradictions_found": false, "certainty_of_findings": 1.0, "summary_of_findings": "chaos judge"}'
    else
      echo '{"validation_passed": true, "explanation": "chaos judge", "details": {}}'
    fi
    exit 0 ;;
esac
if has 'CHAOS: fail-once' && [ ! -e "$state/failed-$task" ]; then
  : > "$state/failed-$task"
  echo "chaos: failing once" >&2
  exit 3
fi
seconds=$(directive fork)
if [ -n "$seconds" ]; then
  sleep "$seconds" &
  echo "$$ $!" >> "$state/forked"
fi
if has 'CHAOS: hang'; then sleep 3600; fi
if has 'CHAOS: print-env'; then env; exit 0; fi
bait=$(directive bait)
if [ -n "$bait" ]; then head -c "$bait" /dev/zero | tr '\\0' a; echo; exit 0; fi
echo "chaos answer for $task"
od -An -N96 -tx4 /dev/urandom
`;

/** Write the agent program into `dir`; returns its path (run it with /bin/sh). */
export async function writeAgentProgram(dir: string): Promise<string> {
  const path = join(dir, "chaos-agent.sh");
  await writeFile(path, PROGRAM, { mode: 0o755 });
  return path;
}

/** One line of runs.log. */
export type AgentRun = {
  role: "generator" | "critic" | "judge";
  pid: number;
  ppid: number;
  task: string;
  startedAt: number;
  cwd: string;
};

/** Parse runs.log (lines that do not parse are skipped: a run may be writing its line). */
export function parseRuns(text: string): AgentRun[] {
  return text.split("\n").flatMap((line) => {
    const [role, pid, ppid, task, at, ...cwd] = line.split(" ");
    if (role !== "generator" && role !== "critic" && role !== "judge") return [];
    return [
      {
        role,
        pid: Number(pid),
        ppid: Number(ppid),
        task: task ?? "",
        startedAt: Number(at),
        cwd: cwd.join(" "),
      },
    ];
  });
}
