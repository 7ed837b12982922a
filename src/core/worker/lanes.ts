// Which (queue, band) lane a worker pulls from next: higher bands first, lower ones never starved.
import type { Band } from "../events/catalogue/shared.ts";
import { laneKeyOfSubject, laneSubject, type WorkLane } from "../events/subjects.ts";

export type Lane = WorkLane;

/** Share of picks per band when every band has work: high 6, normal 3, low 1 (of 10). */
export const BAND_WEIGHTS: Record<Band, number> = { high: 6, normal: 3, low: 1 };

/**
 * Smooth weighted round-robin over the lanes that have work (nginx's algorithm): each pick adds
 * every candidate's weight to its credit, takes the largest, and charges it the total. Over any
 * window each band gets its share, so low-band work starts even while high-band work keeps coming.
 */
export class LaneScheduler {
  private readonly credit = new Map<string, number>();

  /** Pick one lane among those with work; undefined when none has. */
  pick(available: readonly Lane[]): Lane | undefined {
    if (available.length === 0) return undefined;
    let total = 0;
    let best: Lane | undefined;
    let bestCredit = Number.NEGATIVE_INFINITY;
    for (const lane of available) {
      const key = laneKey(lane);
      const w = BAND_WEIGHTS[lane.band];
      const c = (this.credit.get(key) ?? 0) + w;
      this.credit.set(key, c);
      total += w;
      if (c > bestCredit) {
        bestCredit = c;
        best = lane;
      }
    }
    if (best) this.credit.set(laneKey(best), bestCredit - total);
    return best;
  }
}

/** A stable string key for a lane (its subject after `agents.work.`). */
export function laneKey(lane: Lane): string {
  return laneKeyOfSubject(laneSubject(lane));
}
