// openapi_spec: the response is an OpenAPI 3.x or Swagger 2.0 document (JSON or YAML, bare or in a
// fenced block) that @readme/openapi-parser validates against its specification.
import { parse as parseYaml } from "yaml";
import { errorMessage } from "../core/errors.ts";
import { fencedBlocks } from "./text.ts";
import type { Validator } from "./types.ts";

type OpenApiParser = typeof import("@readme/openapi-parser");
let openApiParser: Promise<OpenApiParser> | undefined;
// Loaded on first use: the parser and its JSON Schema validators take ~150 ms to import.
const loadParser = (): Promise<OpenApiParser> => {
  openApiParser ??= import("@readme/openapi-parser");
  return openApiParser;
};

const MAX_LISTED_ERRORS = 5;

/** The document text: the first json/yaml/untagged fenced block, or else the whole response. */
function documentSource(response: string): string {
  const block = fencedBlocks(response).find((b) => ["json", "yaml", ""].includes(b.lang));
  return (block?.code ?? response).trim();
}

/** Parses JSON (when it starts with "{") or YAML; answers the document or why it is not one. */
export function parseDocument(source: string): { ok: true; doc: object } | { ok: false; error: string } {
  let doc: unknown;
  try {
    doc = source.startsWith("{") ? JSON.parse(source) : parseYaml(source);
  } catch (err) {
    return { ok: false, error: `Failed to parse OpenAPI spec as JSON or YAML: ${errorMessage(err)}` };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { ok: false, error: "OpenAPI spec must be an object (a JSON or YAML mapping)" };
  }
  return { ok: true, doc };
}

/** openapi_spec: the response is a valid OpenAPI/Swagger document; external $refs are not fetched. */
export const openapiSpec: Validator = async (response) => {
  const source = documentSource(response);
  if (source === "") {
    return {
      valid: false,
      error: "No OpenAPI spec found",
      suggestions: ["Respond with an OpenAPI document"],
    };
  }
  const parsed = parseDocument(source);
  if (!parsed.ok) {
    return { valid: false, error: parsed.error, suggestions: ["Ensure response is valid JSON or YAML"] };
  }
  if (!("openapi" in parsed.doc) && !("swagger" in parsed.doc)) {
    return {
      valid: false,
      error: "Missing OpenAPI/Swagger version",
      suggestions: ["Add an 'openapi' field (e.g. '3.0.3') or a 'swagger' field ('2.0')"],
    };
  }
  const { validate } = await loadParser();
  try {
    // Never let a model's output make us read files or fetch URLs through $ref.
    const result = await validate(parsed.doc as Parameters<OpenApiParser["validate"]>[0], {
      resolve: { external: false, file: false },
      timeoutMs: 5_000,
    });
    if (result.valid) return { valid: true };
    const listed = result.errors
      .slice(0, MAX_LISTED_ERRORS)
      .map((e) => e.message.split("\n")[0] ?? e.message);
    const more = result.errors.length - listed.length + result.additionalErrors;
    if (more > 0) listed.push(`and ${more} more`);
    return {
      valid: false,
      error: `Invalid ${result.specification ?? "OpenAPI"} spec: ${listed.join("; ")}`,
      suggestions: ["Fix the listed problems so the document follows the OpenAPI specification"],
    };
  } catch (err) {
    return {
      valid: false,
      error: `Invalid OpenAPI spec: ${errorMessage(err).split("\n")[0]}`,
      suggestions: ["Give the document an 'info' with 'title' and 'version', and 'paths'"],
    };
  }
};
