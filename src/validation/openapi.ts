// openapi_spec: the response is an OpenAPI 3.x or Swagger 2.0 document (JSON or YAML, bare or in a
// fenced block). llm_call's OpenAPISpecValidator checks its outline (a version, info.title,
// info.version, paths or components); that comes first, with its messages. Deliberately stricter,
// the document is then validated against its specification by @readme/openapi-parser.
import { parse as parseYaml } from "yaml";
import { errorMessage } from "../core/errors.ts";
import { fencedBlocks } from "./text.ts";
import type { ValidationResult, Validator } from "./types.ts";

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

/** Python's str() of a version: YAML reads `openapi: 3.0` as a float, which Python prints "3.0". */
function pyStr(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? `${value}.0` : String(value);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** llm_call's outline checks, in its order and words; undefined when the outline is there. */
function checkOutline(spec: Record<string, unknown>): ValidationResult | undefined {
  const fail = (error: string, suggestion: string): ValidationResult => ({
    valid: false,
    error,
    suggestions: [suggestion],
  });
  const version = "openapi" in spec ? spec.openapi : spec.swagger;
  if (version === undefined || version === null || version === "" || version === 0 || version === false) {
    return fail(
      "Missing OpenAPI/Swagger version",
      "Add 'openapi' field (e.g., '3.0.0') or 'swagger' field (e.g., '2.0')",
    );
  }
  if (!("info" in spec)) return fail("Missing 'info' section", "Add 'info' with 'title' and 'version'");
  const info = spec.info;
  if (typeof info !== "object" || info === null || Array.isArray(info)) {
    return fail("'info' must be an object", "'info' should contain 'title' and 'version'");
  }
  if (!("title" in info)) return fail("Missing 'info.title'", "Add API title in info section");
  if (!("version" in info)) return fail("Missing 'info.version'", "Add API version in info section");
  const v = pyStr(version);
  if (v.includes("3.") && !("paths" in spec) && !("components" in spec)) {
    return fail(
      "OpenAPI 3.x spec missing both 'paths' and 'components'",
      "Add 'paths' for API endpoints or 'components' for reusable schemas",
    );
  }
  if (!v.includes("3.") && v.includes("2.") && !("paths" in spec)) {
    return fail("Swagger 2.0 spec missing 'paths'", "Add 'paths' section with API endpoints");
  }
  return undefined;
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
  const outline = checkOutline(parsed.doc as Record<string, unknown>);
  if (outline !== undefined) return outline;
  const doc = { ...parsed.doc } as Record<string, unknown>;
  const version = pyStr("openapi" in doc ? doc.openapi : doc.swagger);
  // llm_call passes any other version once the outline is there; the specification has no schema for it.
  if (!/^(2\.0|3\.0|3\.1)(\.|$)/.test(version)) {
    return {
      valid: false,
      error: `Unsupported OpenAPI version ${JSON.stringify(version)}: use 3.1.x, 3.0.x or swagger 2.0`,
      suggestions: ["Set 'openapi' to '3.1.0' or '3.0.3'"],
    };
  }
  // llm_call takes an OpenAPI 3.0 document with components and no paths (3.1 allows it too; the
  // 3.0 schema does not): an empty paths object lets the rest of it be validated.
  if (version.startsWith("3.0") && !("paths" in doc)) doc.paths = {};
  const { validate } = await loadParser();
  try {
    // Never let a model's output make us read files or fetch URLs through $ref.
    const result = await validate(doc as Parameters<OpenApiParser["validate"]>[0], {
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
