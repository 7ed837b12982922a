// Progress lines on stderr while the suite runs: elapsed time, the scenario, what happens.
const t0 = Date.now();

/** One progress line, e.g. "[chaos 03:12] worker-kills: kill 7/20: worker-9 (2 tasks running)". */
export function say(scenario: string, line: string): void {
  const s = Math.floor((Date.now() - t0) / 1000);
  const clock = `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  process.stderr.write(`[chaos ${clock}] ${scenario}: ${line}\n`);
}
