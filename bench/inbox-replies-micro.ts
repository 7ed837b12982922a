// `node --import tsx bench/inbox-replies-micro.ts [N]`: CPU per JetStream publish of this process, with
// nats.js's js.publish (a nats-core request per publish) against src/nats/inbox-replies.ts (acks on one
// inbox subscription), 16 publishes in flight, on a private nats-server. The numbers behind
// inbox-replies.ts (docs/benchmarks.md, "CPU per lifecycle, second pass").
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connectNats } from "../src/nats/connection.ts";
import { repliesOf } from "../src/nats/inbox-replies.ts";
import { positiveInt } from "./options.ts";
import { startNatsServer } from "./servers.ts";

const N = positiveInt("N", process.argv[2], 20_000);
const IN_FLIGHT = 16;
const ROUNDS = 3;

const server = await startNatsServer();
const nc = await connectNats(server.url, "bench-inbox-replies");
await (await jetstreamManager(nc)).streams.add({ name: "MICRO", subjects: ["micro.>"] });
const js = jetstream(nc);
const acks = repliesOf(nc);
const payload = new TextEncoder().encode("x".repeat(584)); // an average event's size

/** µs of this process's CPU per publish, and publishes/s, for N publishes IN_FLIGHT at a time. */
async function measure(label: string, publish: (subject: string, id: string) => Promise<unknown>) {
  let i = 0;
  const lane = async () => {
    while (i < N) {
      const k = i++;
      await publish(`micro.${k % 100}`, `${label}-${k}-${Math.random()}`);
    }
  };
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const used = process.cpuUsage(cpu);
  const s = (performance.now() - t0) / 1000;
  const us = (used.user + used.system) / N;
  console.log(`| ${label} | ${us.toFixed(1)} | ${Math.round(N / s).toLocaleString("en-US")} |`);
}

console.log("| path | CPU µs per publish | publishes/s |\n| --- | --- | --- |");
for (let r = 0; r < ROUNDS; r++) {
  await measure("js.publish", (s, id) => js.publish(s, payload, { msgID: id, timeout: 5000 }));
  await measure("InboxReplies", (s, id) => acks.publish(s, payload, { msgID: id, timeoutMs: 5000 }));
}
await nc.close();
await server.stop();
