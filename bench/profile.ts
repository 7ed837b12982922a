// `npm run bench:profile -- [--tasks N]`: run our saturated lifecycle once under `node --cpu-prof`
// and summarise the hot path. Extra options go to bench/main.ts; the .cpuprofile is kept in a temp
// folder (its path is printed) for Chrome DevTools or speedscope.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CpuProfile, formatSummary, summarise } from "./cpuprofile-summary.ts";

const main = fileURLToPath(new URL("./main.ts", import.meta.url));

async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "agents-bench-prof-"));
  const args = [
    "--cpu-prof",
    "--cpu-prof-dir",
    dir,
    "--import",
    "tsx",
    main,
    "--only",
    "ours",
    "--rounds",
    "1",
    "--no-paced",
    "--tasks",
    "600",
    ...process.argv.slice(2),
  ];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", reject);
    child.once("exit", (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`the profiled run failed (exit ${code})`);
  // tsx's loader thread writes a profile too; the main thread's is the largest.
  const files = await Promise.all(
    (await readdir(dir))
      .filter((f) => f.endsWith(".cpuprofile"))
      .map(async (f) => ({ f: join(dir, f), size: (await stat(join(dir, f))).size })),
  );
  const biggest = files.sort((a, b) => b.size - a.size)[0];
  if (!biggest) throw new Error(`no .cpuprofile written in ${dir}`);
  const profile = JSON.parse(await readFile(biggest.f, "utf8")) as CpuProfile;
  console.log(`\n## CPU profile of our saturated lifecycle\n\nProfile: ${biggest.f}\n`);
  console.log(formatSummary(summarise(profile)));
}

run().catch((err) => {
  console.error(`[bench:profile] ${(err as Error).message}`);
  process.exit(1);
});
