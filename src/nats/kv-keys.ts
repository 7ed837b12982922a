// The keys of a KV bucket from one stream-info request, instead of `kv.keys()`. That is an ordered
// consumer that waits until it has been given as many entries as the server counted when it began;
// on nats-server 2.9 it can wait for ever when entries expire (max age) or are overwritten meanwhile
// (nats-io/nats-server#3481). The workers' bucket does both all the time, and a /metrics scrape hung
// on it. A request has a timeout, so this either answers or throws.
import { jetstreamManager } from "@nats-io/jetstream";
import type { Connection } from "./connection.ts";

/** Every key with an entry (a put or a delete marker) in `bucket` now, sorted. */
export async function bucketKeys(nc: Connection, bucket: string): Promise<string[]> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  const prefix = `$KV.${bucket}.`;
  const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${prefix}>` });
  return Object.keys(info.state.subjects ?? {})
    .map((s) => s.slice(prefix.length))
    .sort();
}
