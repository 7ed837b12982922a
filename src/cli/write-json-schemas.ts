// `npm run schemas`: write docs/schemas from the zod catalogue (and remove files it no longer makes).
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { renderSchemaFiles, SCHEMAS_DIR } from "../core/events/json-schemas.ts";

const files = renderSchemaFiles();
await mkdir(SCHEMAS_DIR, { recursive: true });
for (const [name, text] of files) await writeFile(join(SCHEMAS_DIR, name), text);
for (const name of await readdir(SCHEMAS_DIR)) {
  if (name.endsWith(".json") && !files.has(name)) await rm(join(SCHEMAS_DIR, name));
}
console.log(`wrote ${files.size} files to ${relative(process.cwd(), SCHEMAS_DIR) || "."}`);
