// How numbers, times and sizes read on the page. Formatters are made once: toLocaleString builds a
// new one on every call, which costs more than the rest of a table row.

const COUNT = new Intl.NumberFormat("en-US");
const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "short",
  timeStyle: "medium",
  hour12: false,
});
const TIME = new Intl.DateTimeFormat("en-GB", { timeStyle: "medium", hour12: false });
const SHORT = new Intl.DateTimeFormat("en-GB", { dateStyle: "short", timeStyle: "short", hour12: false });

/** Dollars with enough digits for agent runs (they are often fractions of a cent). */
export function usd(n: number): string {
  if (n === 0) return "$0";
  if (n < 0.01) return `$${n.toFixed(4)}`;
  return `$${n.toFixed(2)}`;
}

/** A count with thousands separators. */
export function count(n: number): string {
  return COUNT.format(n);
}

/** A duration in ms as 850 ms, 12.3 s, 4 min 2 s, 1 h 5 min. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** How long ago an ISO time was. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "–";
  const ms = now - Date.parse(iso);
  if (ms < 5_000) return "just now";
  if (ms < 60_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h ago`;
  return `${Math.round(ms / 86_400_000)} d ago`;
}

/** An ISO time as local date and time. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return DATE_TIME.format(d);
}

/** A score average with one decimal, or – when there is none. */
export function score(n: number | null | undefined, critiques = 1): string {
  return critiques === 0 || n === null || n === undefined ? "–" : n.toFixed(1);
}

/** Token counts in k. */
export function tokens(u: { input_tokens: number; output_tokens: number } | null | undefined): string {
  if (!u) return "–";
  const k = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000)}k` : count(n));
  return `${k(u.input_tokens)} in / ${k(u.output_tokens)} out`;
}

/** A status as words ("dead_lettered" → "dead lettered"). */
export function words(s: string): string {
  return s.replaceAll("_", " ");
}

/** The time of day of an ISO time, to the millisecond (for the event feed). */
export function clock(iso: string): string {
  const d = new Date(iso);
  return `${TIME.format(d)}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

/** An ISO time as its time of day when it is today, else its date and time (lists). */
export function short(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return "–";
  const d = new Date(iso);
  const today = d.toDateString() === now.toDateString();
  return today ? TIME.format(d) : SHORT.format(d);
}
