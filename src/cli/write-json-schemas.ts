// `npm run schemas`: write docs/schemas from the zod catalogue (and remove files it no longer makes).
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { renderSchemaFiles } from "../core/events/json-schemas.ts";

/** Where `npm run schemas` writes the files (docs/schemas at the repository root). */
export const SCHEMAS_DIR = fileURLToPath(new URL("../../docs/schemas/", import.meta.url));

/** Write every schema file and remove the ones no longer made; returns how many were written. */
export async function writeJsonSchemas(dir = SCHEMAS_DIR): Promise<number> {
  const files = renderSchemaFiles();
  await mkdir(dir, { recursive: true });
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  for (const name of await readdir(dir)) {
    if (name.endsWith(".json") && !files.has(name)) await rm(join(dir, name));
  }
  return files.size;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = await writeJsonSchemas();
  console.log(`wrote ${n} files to ${relative(process.cwd(), SCHEMAS_DIR) || "."}`);
}
