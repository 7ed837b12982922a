// SQL validators: sql and sql_safe. llm_call's SQLValidator only looks for a SQL keyword and an
// even number of quotes, and its SQLSafetyValidator for the words DROP, DELETE, … anywhere; both
// are deliberately stricter here: the SQL must parse (node-sql-parser), and sql_safe reads the
// statements of the syntax tree. The SQL checked is the response's ```sql (or untagged) fenced
// blocks, or else the whole response. llm_call's validators take no params; `dialect` is ours.
import { z } from "zod";
import { errorMessage } from "../core/errors.ts";
import { type ParamCheck, paramCheck, parseParams } from "./params.ts";
import { blocksFor } from "./text.ts";
import type { ValidationResult, Validator } from "./types.ts";

const DIALECTS = [
  "athena",
  "bigquery",
  "db2",
  "flinksql",
  "hive",
  "mariadb",
  "mysql",
  "noql",
  "postgresql",
  "redshift",
  "snowflake",
  "sqlite",
  "transactsql",
  "trino",
] as const;
const DIALECT_ALIASES: Record<string, string> = { postgres: "postgresql", mssql: "transactsql" };

const SqlParams = z.strictObject({
  dialect: z
    .string()
    .transform((d) => DIALECT_ALIASES[d.toLowerCase()] ?? d.toLowerCase())
    .pipe(z.enum(DIALECTS, { error: `unsupported dialect; use one of ${DIALECTS.join(", ")}` }))
    .optional(),
});
type Dialect = (typeof DIALECTS)[number];

/** sql's and sql_safe's params at submit time. */
export const sqlParams: ParamCheck = paramCheck(SqlParams);

/** Without a dialect, SQL that parses in any common one passes (MySQL backticks, T-SQL brackets). */
const COMMON_DIALECTS: readonly Dialect[] = [
  "postgresql",
  "mysql",
  "sqlite",
  "transactsql",
  "bigquery",
  "snowflake",
];

/** llm_call's SQL keywords: a response with none of them holds no SQL. */
const SQL_KEYWORDS = [
  "SELECT",
  "FROM",
  "WHERE",
  "INSERT",
  "UPDATE",
  "DELETE",
  "CREATE",
  "DROP",
  "ALTER",
  "TABLE",
  "JOIN",
  "GROUP BY",
  "ORDER BY",
  "HAVING",
  "UNION",
  "WITH",
];

/** Statement types sql_safe refuses, as llm_call did (DROP, DELETE, TRUNCATE, ALTER, GRANT, REVOKE). */
export const FORBIDDEN_STATEMENTS = ["drop", "delete", "truncate", "alter", "grant", "revoke"] as const;

type SqlParser = { astify(sql: string, opt?: { database?: string }): unknown };
let parser: Promise<SqlParser> | undefined;

// node-sql-parser bundles every dialect's grammar (~300 ms to load), so it loads on first use.
function sqlParser(): Promise<SqlParser> {
  parser ??= import("node-sql-parser").then((m) => new m.default.Parser());
  return parser;
}

/** The SQL sources of a response: its sql/untagged fenced blocks, or else all of it. */
function sqlSources(response: string): string[] {
  const blocks = blocksFor(response, "sql").map((b) => b.code);
  return (blocks.length > 0 ? blocks : [response]).filter((s) => s.trim() !== "");
}

/** A readable parse error: position and offending token, not the grammar's whole expected list. */
function describeSqlError(err: unknown, dialect: string): string {
  const e = err as { location?: { start?: { line?: number; column?: number } }; found?: string | null };
  const start = e.location?.start;
  if (start?.line === undefined)
    return `SQL does not parse as ${dialect}: ${errorMessage(err).slice(0, 200)}`;
  const found = e.found === null || e.found === undefined ? "end of input" : JSON.stringify(e.found);
  return `SQL does not parse as ${dialect} at line ${start.line}, column ${start.column}: unexpected ${found}`;
}

const NO_SQL: ValidationResult = {
  valid: false,
  error: "No SQL statements found in response",
  suggestions: ["Ensure response contains valid SQL"],
};

/** The syntax tree in the first of the dialects that parses the source, or the first dialect's error. */
function parseSql(
  p: SqlParser,
  source: string,
  dialects: readonly Dialect[],
): { ok: true; ast: unknown } | { ok: false; error: string } {
  let first: string | undefined;
  for (const dialect of dialects) {
    try {
      return { ok: true, ast: p.astify(source, { database: dialect }) };
    } catch (err) {
      first ??= describeSqlError(err, dialect);
    }
  }
  return { ok: false, error: first ?? "no dialect" };
}

/** sql: every SQL source in the response parses in params.dialect (or, without one, in a common dialect). */
export const sql: Validator = async (response, raw) => {
  const parsed = parseParams("sql", SqlParams, raw);
  if (!parsed.ok) return parsed.result;
  const { dialect } = parsed.params;
  const sources = sqlSources(response);
  if (!sources.some((s) => SQL_KEYWORDS.some((k) => s.toUpperCase().includes(k)))) return NO_SQL;
  const p = await sqlParser();
  const dialects = dialect === undefined ? COMMON_DIALECTS : [dialect];
  const errors = sources.flatMap((source) => {
    const tree = parseSql(p, source, dialects);
    return tree.ok ? [] : [tree.error];
  });
  if (errors.length === 0) return { valid: true };
  const tried = dialect === undefined ? ` (nor in ${COMMON_DIALECTS.slice(1).join(", ")})` : "";
  return {
    valid: false,
    error: `${errors.join("; ")}${tried}`,
    suggestions: [
      `Write valid ${dialect ?? "SQL"}${dialect ? " SQL" : ""}, alone or in a \`\`\`sql fenced block`,
    ],
  };
};

/** Every `type` in a parsed AST that names a forbidden statement, however deeply nested. */
function forbiddenInAst(node: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(node)) {
    for (const child of node) forbiddenInAst(child, found);
  } else if (typeof node === "object" && node !== null) {
    const type = (node as Record<string, unknown>).type;
    if (typeof type === "string" && (FORBIDDEN_STATEMENTS as readonly string[]).includes(type))
      found.add(type);
    for (const child of Object.values(node)) forbiddenInAst(child, found);
  }
  return found;
}

/**
 * Blanks out comments and string/identifier literals so keywords inside them are not counted.
 * A backslash never escapes a quote here: when in doubt, more text stays visible (safer).
 */
export function stripSqlLiterals(source: string): string {
  return source.replace(
    /--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|'(?:[^']|'')*'?|"(?:[^"]|"")*"?|`[^`]*`?|\$(\w*)\$[\s\S]*?(?:\$\1\$|$)/g,
    " ",
  );
}

/** Forbidden keywords outside comments and literals: the fallback when the SQL does not parse. */
function forbiddenKeywords(source: string): Set<string> {
  const words = stripSqlLiterals(source.replaceAll("/*!", "   ")).match(
    new RegExp(`\\b(${FORBIDDEN_STATEMENTS.join("|")})\\b`, "gi"),
  );
  return new Set((words ?? []).map((w) => w.toLowerCase()));
}

/** sql_safe: no DROP/DELETE/TRUNCATE/ALTER/GRANT/REVOKE, found in the AST, or by keyword if it does not parse. */
export const sqlSafe: Validator = async (response, raw) => {
  const parsed = parseParams("sql_safe", SqlParams, raw);
  if (!parsed.ok) return parsed.result;
  const sources = sqlSources(response);
  if (sources.length === 0) return { valid: true };
  const p = await sqlParser();
  const found = new Set<string>();
  const { dialect } = parsed.params;
  for (const source of sources) {
    const tree = parseSql(p, source, dialect === undefined ? COMMON_DIALECTS : [dialect]);
    let statements: Set<string>;
    if (tree.ok) {
      statements = forbiddenInAst(tree.ast, new Set());
      // The parser reads \' as an escaped quote, PostgreSQL's standard strings do not: 'a\'; DROP …
      // would hide a statement inside a "string". With a backslash present, keywords count too.
      // MySQL runs the text of /*! … */ comments: with one present, its words count as code too.
      if (source.includes("\\") || source.includes("/*!"))
        for (const k of forbiddenKeywords(source)) statements.add(k);
    } else {
      statements = forbiddenKeywords(source);
    }
    for (const s of statements) found.add(s.toUpperCase());
  }
  if (found.size === 0) return { valid: true };
  const list = [...found].join(", ");
  return {
    valid: false,
    error: `SQL contains potentially dangerous operations: ${list}`,
    suggestions: ["Use SELECT queries only", `Remove the ${list} statements`],
  };
};
