// The documents one batch reads and writes: loaded from the store once, changed in memory in
// stream order, and handed back as the batch's upserts and deletes.
import type { QueueName } from "../core/events/index.ts";
import { QueueName as Queues } from "../core/events/index.ts";
import {
  type Batch,
  type CollectionName,
  type Collections,
  type ProjectionStore,
  taskCollection,
} from "./store.ts";
import type { TaskDoc } from "./task-details/evolve.ts";

export type DocReader = Pick<ProjectionStore, "read">;

/** The working set of one batch (see the file comment). */
export class DocCache {
  private readonly docs = new Map<CollectionName, Map<string, unknown>>();
  private readonly dirty = new Map<CollectionName, Set<string>>();
  private readonly reader: DocReader;

  constructor(reader: DocReader) {
    this.reader = reader;
  }

  /** Load the keys not loaded yet, in one read. */
  async prefetch(collection: CollectionName, keys: Iterable<string>): Promise<void> {
    const loaded = this.loaded(collection);
    const missing = [...new Set(keys)].filter((k) => !loaded.has(k));
    if (missing.length === 0) return;
    const found = await this.reader.read(collection, missing);
    for (const k of missing) loaded.set(k, found.get(k) ?? null);
  }

  /** Load tasks by id from every task collection (a task's queue is known only once it is found). */
  async prefetchTasks(ids: Iterable<string>): Promise<void> {
    const list = [...ids];
    for (const q of Queues.options) await this.prefetch(taskCollection(q), list);
  }

  /** A document as it stands in this batch (null: absent). */
  async get<C extends CollectionName>(collection: C, key: string): Promise<Collections[C] | null> {
    const loaded = this.loaded(collection);
    if (!loaded.has(key)) await this.prefetch(collection, [key]);
    return (loaded.get(key) ?? null) as Collections[C] | null;
  }

  /** A task from whichever task collection holds it. */
  async getTask(id: string): Promise<TaskDoc | null> {
    for (let pass = 0; pass < 2; pass++) {
      let known = true;
      for (const q of Queues.options) {
        const loaded = this.loaded(taskCollection(q));
        const t = loaded.get(id);
        if (t) return t as TaskDoc;
        known &&= loaded.has(id);
      }
      if (known) return null;
      await this.prefetchTasks([id]);
    }
    return null;
  }

  /** Record a document's new version (null deletes it). */
  put<C extends CollectionName>(collection: C, key: string, doc: Collections[C] | null): void {
    this.loaded(collection).set(key, doc);
    let keys = this.dirty.get(collection);
    if (!keys) {
      keys = new Set();
      this.dirty.set(collection, keys);
    }
    keys.add(key);
  }

  /** Record a task's new version in its queue's collection. */
  putTask(queue: QueueName, id: string, doc: TaskDoc | null): void {
    this.put(taskCollection(queue), id, doc);
  }

  /** The changed documents as a batch ending at `checkpoint`. */
  toBatch(checkpoint: number): Batch {
    const batch: Batch = { upserts: {}, deletes: {}, checkpoint };
    for (const [collection, keys] of this.dirty) {
      const loaded = this.loaded(collection);
      const upserts: unknown[] = [];
      const deletes: string[] = [];
      for (const k of keys) {
        const doc = loaded.get(k);
        if (doc) upserts.push(doc);
        else deletes.push(k);
      }
      if (upserts.length > 0) (batch.upserts as Record<string, unknown[]>)[collection] = upserts;
      if (deletes.length > 0) batch.deletes[collection] = deletes;
    }
    return batch;
  }

  private loaded(collection: CollectionName): Map<string, unknown> {
    let m = this.docs.get(collection);
    if (!m) {
      m = new Map();
      this.docs.set(collection, m);
    }
    return m;
  }
}
