// Read model of queue state (collection queue_summary): one counter per queue × status, moved by
// every task status change. Serves queueSummary.
import type { QueueName } from "../../core/events/index.ts";
import type { TaskStatus } from "../../core/lifecycle/index.ts";
import type { FoldContext } from "../context.ts";

export type QueueCount = { _key: string; seq: number; queue: QueueName; status: TaskStatus; count: number };
export type QueueCell = { queue: QueueName; status: TaskStatus };

/** The document key of one queue × status counter. */
export function cellKey(cell: QueueCell): string {
  return `${cell.queue}.${cell.status}`;
}

/** The counters a task change moves: the cell it left and the cell it entered (none when unchanged). */
export function changedCells(ctx: FoldContext): QueueCell[] {
  const before = ctx.task?.before;
  const after = ctx.task?.after;
  if (before && after && before.queue === after.queue && before.status === after.status) return [];
  const cells: QueueCell[] = [];
  if (before) cells.push({ queue: before.queue, status: before.status });
  if (after) cells.push({ queue: after.queue, status: after.status });
  return cells;
}

/** Move one counter by the task change in ctx. */
export function evolveQueueSummary(
  doc: QueueCount | null,
  cell: QueueCell,
  ctx: FoldContext,
): QueueCount | null {
  const delta = inCell(ctx.task?.after, cell) - inCell(ctx.task?.before, cell);
  if (delta === 0) return doc;
  const count = (doc?.count ?? 0) + delta;
  return { _key: cellKey(cell), seq: ctx.seq, queue: cell.queue, status: cell.status, count };
}

function inCell(t: QueueCell | null | undefined, cell: QueueCell): number {
  return t && t.queue === cell.queue && t.status === cell.status ? 1 : 0;
}

export type QueueSummaryRow = { queue: QueueName; status: TaskStatus; count: number };

/** Rows with a non-zero count, by queue then status. */
export function queueSummaryOf(counts: Iterable<QueueCount>): QueueSummaryRow[] {
  return [...counts]
    .filter((c) => c.count !== 0)
    .map((c) => ({ queue: c.queue, status: c.status, count: c.count }))
    .sort(byCell);
}

/** Order of rows: queue, then status (code-point order). */
export function byCell(a: QueueCell, b: QueueCell): number {
  const ka = [a.queue, a.status].join(" ");
  const kb = [b.queue, b.status].join(" ");
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
