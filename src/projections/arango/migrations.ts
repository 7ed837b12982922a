// Migrations as code: a numbered list, each applied once per database and recorded in `migrations`.
// Append new steps; never edit or renumber one that has shipped.
import type { Database } from "arangojs";
import { aql } from "arangojs/aql";
import { isArangoError } from "arangojs/errors";
import { COLLECTIONS } from "../store.ts";
import {
  CHECKPOINTS,
  DASHBOARD_COLLECTIONS,
  DASHBOARD_INDEXES,
  INDEXES,
  MIGRATIONS_COLLECTION,
  SCHEMA_RULES,
} from "./schemas.ts";

export type Migration = { id: number; name: string; up: (db: Database) => Promise<void> };

const ERROR_DUPLICATE_NAME = 1207;
const ERROR_UNIQUE_CONSTRAINT = 1210;

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "create the read-model collections and checkpoints",
    up: async (db) => {
      for (const name of [...COLLECTIONS, CHECKPOINTS]) await ensureCollection(db, name);
    },
  },
  {
    id: 2,
    name: "persistent indexes for the queries",
    up: (db) => ensureIndexes(db, INDEXES),
  },
  {
    id: 3,
    name: "schema rules (level moderate)",
    up: async (db) => {
      for (const name of COLLECTIONS) {
        const message = `a ${name} document does not match its schema rule (src/projections/arango/schemas.ts)`;
        await db
          .collection(name)
          .properties({ schema: { rule: SCHEMA_RULES[name], level: "moderate", message } });
      }
    },
  },
  {
    id: 4,
    name: "system state and run costs, and the indexes the dashboard's queries use",
    up: async (db) => {
      for (const name of DASHBOARD_COLLECTIONS) {
        await ensureCollection(db, name);
        const message = `a ${name} document does not match its schema rule (src/projections/arango/schemas.ts)`;
        await db
          .collection(name)
          .properties({ schema: { rule: SCHEMA_RULES[name], level: "moderate", message } });
      }
      await ensureIndexes(db, DASHBOARD_INDEXES);
    },
  },
];

// Persistent indexes (ensureIndex is idempotent: an index that exists is returned as it is).
async function ensureIndexes(db: Database, indexes: Partial<Record<string, string[][]>>): Promise<void> {
  for (const [name, list] of Object.entries(indexes)) {
    for (const fields of list ?? []) {
      await db.collection(name).ensureIndex({ type: "persistent", fields, name: `idx_${fields.join("_")}` });
    }
  }
}

/** True when ArangoDB refused because the thing already exists (another process made it first). */
export function isAlreadyThere(err: unknown): boolean {
  return (
    isArangoError(err) && (err.errorNum === ERROR_DUPLICATE_NAME || err.errorNum === ERROR_UNIQUE_CONSTRAINT)
  );
}

/** Create a document collection unless it exists. */
export async function ensureCollection(db: Database, name: string): Promise<void> {
  if (await db.collection(name).exists()) return;
  try {
    await db.createCollection(name);
  } catch (err) {
    if (!isAlreadyThere(err)) throw err;
  }
}

/** Apply the migrations this database has not recorded yet, in order; returns the ids applied. */
export async function migrate(db: Database): Promise<number[]> {
  await ensureCollection(db, MIGRATIONS_COLLECTION);
  const log = db.collection(MIGRATIONS_COLLECTION);
  const done = new Set(await (await db.query<number>(aql`FOR m IN ${log} RETURN m.id`)).all());
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.id)) continue;
    await m.up(db);
    const record = {
      _key: String(m.id).padStart(4, "0"),
      id: m.id,
      name: m.name,
      applied_at: new Date().toISOString(),
    };
    try {
      await log.save(record);
    } catch (err) {
      if (!isAlreadyThere(err)) throw err;
    }
    applied.push(m.id);
  }
  return applied;
}
