// SQL validators: given SQL (bare or fenced), when sql or sql_safe runs, then parseable SQL passes
// and destructive statements fail, even when the SQL does not parse.
import { type Case, fence, runCases } from "./cases.ts";

const cases: Case[] = [
  // sql
  {
    name: "select",
    spec: { type: "sql" },
    response: "SELECT id, name FROM users WHERE active = true ORDER BY name;",
    valid: true,
  },
  {
    name: "sql block, mysql",
    spec: { type: "sql", params: { dialect: "mysql" } },
    response: fence("sql", "SELECT `id` FROM t LIMIT 1"),
    valid: true,
  },
  {
    name: "postgres alias",
    spec: { type: "sql", params: { dialect: "postgres" } },
    response: "SELECT 1",
    valid: true,
  },
  {
    name: "typo",
    spec: { type: "sql" },
    response: "SELECT * FORM users",
    valid: false,
    error: /does not parse as postgresql at line 1, column \d+: unexpected/,
  },
  {
    name: "truncated",
    spec: { type: "sql" },
    response: "SELECT * FROM",
    valid: false,
    error: /unexpected end of input/,
  },
  { name: "empty", spec: { type: "sql" }, response: "", valid: false, error: /No SQL statements/ },
  // sql_safe
  {
    name: "select",
    spec: { type: "sql_safe" },
    response: "SELECT * FROM users WHERE note = 'drop table'",
    valid: true,
  },
  {
    name: "ON DELETE is no statement",
    spec: { type: "sql_safe" },
    response: "CREATE TABLE a (b int REFERENCES b(id) ON DELETE CASCADE)",
    valid: true,
  },
  {
    name: "unparseable but harmless",
    spec: { type: "sql_safe" },
    response: "SELEC * FROM t -- drop it later\nWHERE x = 'delete'",
    valid: true,
  },
  {
    name: "drop",
    spec: { type: "sql_safe" },
    response: "DROP TABLE users",
    valid: false,
    error: /dangerous operations: DROP/,
  },
  {
    name: "hidden after a select",
    spec: { type: "sql_safe" },
    response: fence("sql", "SELECT 1;\nDELETE FROM users;\nTRUNCATE logs;"),
    valid: false,
    error: /DELETE, TRUNCATE/,
  },
  {
    name: "alter",
    spec: { type: "sql_safe" },
    response: "ALTER TABLE t ADD COLUMN c int",
    valid: false,
    error: /ALTER/,
  },
  {
    name: "unparseable, keyword fallback",
    spec: { type: "sql_safe" },
    response: "please run: drop table users",
    valid: false,
    error: /DROP/,
  },
  {
    name: "backslash does not hide a statement",
    spec: { type: "sql_safe" },
    response: "SELECT 'a\\'; DROP TABLE x; --'",
    valid: false,
    error: /DROP/,
  },
];

runCases("SQL validators", cases);
