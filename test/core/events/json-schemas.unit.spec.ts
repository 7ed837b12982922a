import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { SCHEMAS_DIR } from "../../../src/cli/write-json-schemas.ts";
import { ControlCancel, EVENT_TYPES, Submission, WorkItem } from "../../../src/core/events/index.ts";
import {
  eventJsonSchemas,
  INDEX_FILE,
  renderSchemaFiles,
  schemaFileName,
} from "../../../src/core/events/json-schemas.ts";
import { EXAMPLE_SUBMISSION, exampleEvent } from "./examples.ts";

// ajv-formats is CommonJS; under NodeNext its default export is reached through `.default`.
const addFormats = ajvFormats.default;

const STALE_HINT = "docs/schemas is stale: run `npm run schemas` and commit the result";

// One Ajv holding every schema, as another service would load docs/schemas. Strict mode catches
// keywords Ajv ignores; union types (`type: [...]`, from z.union of primitives) are valid 2020-12.
function compileAll(): (name: string) => ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  const compiled = new Map<string, ValidateFunction>();
  for (const [name, schema] of Object.entries(eventJsonSchemas())) compiled.set(name, ajv.compile(schema));
  return (name) => {
    const validate = compiled.get(name);
    if (!validate) throw new Error(`no schema named ${name}`);
    return validate;
  };
}

// Plain JSON as it travels on the wire.
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe("JSON Schemas in docs/schemas", () => {
  it("given the catalogue, when regenerated in memory, then the checked-in files are identical", async () => {
    const expected = renderSchemaFiles();
    const onDisk = (await readdir(SCHEMAS_DIR).catch(() => [])).filter((f) => f.endsWith(".json"));
    assert.deepEqual(onDisk.sort(), [...expected.keys()].sort(), `${STALE_HINT} (files differ)`);
    for (const [file, text] of expected) {
      const actual = await readFile(join(SCHEMAS_DIR, file), "utf8");
      assert.equal(actual, text, `${STALE_HINT} (${file} differs)`);
    }
  });

  it("given the index, then it lists every schema file with its $id", async () => {
    const index = JSON.parse(await readFile(join(SCHEMAS_DIR, INDEX_FILE), "utf8")) as {
      schemas: Array<{ name: string; file: string; $id: string; subjects: string[] }>;
    };
    const schemas = eventJsonSchemas();
    assert.deepEqual(index.schemas.map((s) => s.name).sort(), Object.keys(schemas).sort());
    for (const entry of index.schemas) {
      assert.equal(entry.file, schemaFileName(entry.name));
      assert.equal(entry.$id, (schemas[entry.name] as { $id: string }).$id);
      assert.ok(entry.subjects.length > 0, `${entry.name} names its subjects`);
    }
  });

  it("given the schemas, then each is draft 2020-12 with $id, title and a description naming its subject", () => {
    const schemas = eventJsonSchemas();
    for (const type of EVENT_TYPES) assert.ok(schemas[type], `no schema for event ${type}`);
    for (const name of [
      "submission",
      "work-item",
      "control-stop-resume",
      "control-cancel",
      "control-queue",
      "control-retry",
      "system-state",
    ]) {
      assert.ok(schemas[name], `no schema for ${name}`);
    }
    for (const [name, schema] of Object.entries(schemas)) {
      const s = schema as { $schema: string; $id: string; title: string; description: string };
      assert.equal(s.$schema, "https://json-schema.org/draft/2020-12/schema", name);
      assert.ok(s.$id.endsWith(`/${schemaFileName(name)}`), `${name} $id`);
      assert.equal(s.title, name);
      assert.match(s.description, /agents\.[a-z<>.]+/, `${name} description names a subject`);
    }
  });

  it("given an example of every event, then its JSON Schema accepts it", () => {
    const validatorOf = compileAll();
    for (const type of EVENT_TYPES) {
      const validate = validatorOf(type);
      assert.ok(validate(wire(exampleEvent(type))), `${type}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it("given an event of another type or without data, then its JSON Schema refuses it", () => {
    const validatorOf = compileAll();
    assert.equal(validatorOf("task.completed")(wire(exampleEvent("task.failed"))), false);
    const { data: _data, ...noData } = exampleEvent("task.queued");
    assert.equal(validatorOf("task.queued")(wire(noData)), false);
  });

  it("given plain-JSON messages, then their schemas agree with zod", () => {
    const validatorOf = compileAll();
    const cases: Array<{ name: string; value: unknown; zodOk: boolean }> = [
      { name: "submission", value: EXAMPLE_SUBMISSION, zodOk: true },
      { name: "submission", value: { spec: "a haiku", count: "infinite" }, zodOk: true },
      { name: "submission", value: { spec: "a haiku", count: 0 }, zodOk: false },
      { name: "submission", value: { spec: "   ", count: 1 }, zodOk: false },
      { name: "submission", value: { spec: "a haiku", count: 1, colour: "blue" }, zodOk: false },
      { name: "control-stop-resume", value: { reason: "runaway cost" }, zodOk: true },
      { name: "control-stop-resume", value: {}, zodOk: true },
      { name: "control-queue", value: { queue: "heavy" }, zodOk: true },
      { name: "control-queue", value: { queue: "everything" }, zodOk: false },
      { name: "control-cancel", value: { job_id: "job-1" }, zodOk: true },
      { name: "control-cancel", value: { task_id: "task-1", reason: "wrong spec" }, zodOk: true },
      { name: "control-cancel", value: { job_id: "job-1", task_id: "task-1" }, zodOk: false },
      { name: "control-cancel", value: {}, zodOk: false },
      {
        name: "work-item",
        value: {
          task_id: "task-1",
          job_id: "job-1",
          queue: "standard",
          band: "high",
          priority: 1,
          attempt: 1,
        },
        zodOk: true,
      },
      {
        name: "work-item",
        value: {
          task_id: "task 1",
          job_id: "job-1",
          queue: "standard",
          band: "high",
          priority: 1,
          attempt: 1,
        },
        zodOk: false,
      },
    ];
    const zodOf = { submission: Submission, "control-cancel": ControlCancel, "work-item": WorkItem } as const;
    for (const { name, value, zodOk } of cases) {
      const validate = validatorOf(name);
      const label = `${name} ${JSON.stringify(value)}`;
      assert.equal(validate(value), zodOk, `${label}: ${JSON.stringify(validate.errors)}`);
      const zod = zodOf[name as keyof typeof zodOf];
      if (zod) assert.equal(zod.safeParse(value).success, zodOk, `zod ${label}`);
    }
  });
});
