// `npm run bench:memory -- [--memory-tasks N] [--no-projections] [--no-snapshots]`: the memory phase of `npm run bench` once, with a
// heap snapshot of the idle stack and one with the tasks held, then what the held tasks added, by
// kind and retainer. The snapshots are kept in a temp folder (their paths are printed) for DevTools.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";
import { formatHeapDiff, heapDiff } from "./heap-diff.ts";
import { measureMemory } from "./memory.ts";
import { parseOptions } from "./options.ts";
import { projectionsUnavailable } from "./projections.ts";
import { startNatsServer } from "./servers.ts";

async function run(): Promise<void> {
  // --no-snapshots: the readings alone (writing a snapshot grows RSS, so the readings are fairer).
  const args = process.argv.slice(2);
  const noSnapshots = args.includes("--no-snapshots");
  const o = parseOptions(args.filter((a) => a !== "--no-snapshots"));
  const dir = noSnapshots ? undefined : await mkdtemp(join(tmpdir(), "agents-bench-heap-"));
  const files = {
    baseline: join(dir ?? ".", "baseline.heapsnapshot"),
    loaded: join(dir ?? ".", "loaded.heapsnapshot"),
  };
  const unavailable = o.projections ? await projectionsUnavailable() : "turned off";
  const nats = await startNatsServer();
  try {
    const m = await measureMemory(nats, {
      tasks: o.memoryTasks,
      logLevel: o.logLevel,
      projections: !unavailable,
      onSettled: dir ? (at) => writeHeapSnapshot(files[at]) : undefined,
    });
    console.log(`## Memory per in-flight task (${m.tasks} held)\n`);
    console.log(
      `RSS ${m.baseline.rssMb.toFixed(1)} → ${m.loaded.rssMb.toFixed(1)} MB: ${m.rssKbPerTask.toFixed(1)} KB per task; ` +
        `heap ${m.baseline.heapMb.toFixed(1)} → ${m.loaded.heapMb.toFixed(1)} MB: ${m.heapKbPerTask.toFixed(1)} KB per task.`,
    );
    const mb = (r: typeof m.loaded) =>
      `heap total ${r.heapTotalMb.toFixed(1)}, external ${r.externalMb.toFixed(1)}, array buffers ${r.arrayBuffersMb.toFixed(1)}`;
    console.log(
      `Marginal (the second half against the first): ${m.marginalRssKbPerTask.toFixed(1)} KB RSS, ${m.marginalHeapKbPerTask.toFixed(1)} KB heap per task.`,
    );
    console.log(`Idle: ${mb(m.baseline)} MB; halfway: ${mb(m.halfway)} MB; loaded: ${mb(m.loaded)} MB.`);
    const spaces = Object.keys(m.loaded.spacesMb).map(
      (k) => `${k} ${(m.baseline.spacesMb[k] ?? 0).toFixed(1)} → ${(m.loaded.spacesMb[k] ?? 0).toFixed(1)}`,
    );
    console.log(`V8 spaces (MB reserved): ${spaces.join(", ")}.`);
    console.log(`Projections: ${unavailable ? `off (${unavailable})` : "on"}. Snapshots: ${dir ?? "none"}\n`);
  } finally {
    await nats.stop();
  }
  if (dir) console.log(formatHeapDiff(await heapDiff(files.baseline, files.loaded), o.memoryTasks));
}

run().then(
  () => process.exit(0),
  (err) => {
    console.error(`[bench:memory] ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
