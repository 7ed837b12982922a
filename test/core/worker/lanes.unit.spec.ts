import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Band, QueueName } from "../../../src/core/events/index.ts";
import { BAND_WEIGHTS, type Lane, LaneScheduler, laneKey } from "../../../src/core/worker/lanes.ts";

const lane = (queue: QueueName, band: Band): Lane => ({ queue, band });
const BANDS: Band[] = ["high", "normal", "low"];

/** Count picks per band over `n` picks with the same lanes available each time. */
function pickBands(lanes: Lane[], n: number, s = new LaneScheduler()): Record<Band, number> {
  const counts: Record<Band, number> = { high: 0, normal: 0, low: 0 };
  for (let i = 0; i < n; i++) {
    const picked = s.pick(lanes);
    assert.ok(picked, "a lane is picked while lanes have work");
    counts[picked.band]++;
  }
  return counts;
}

describe("LaneScheduler: shares per band", () => {
  it("given the weights, then high, normal and low get 6, 3 and 1 of every 10 picks", () => {
    assert.deepEqual(BAND_WEIGHTS, { high: 6, normal: 3, low: 1 });
  });

  it("given all three bands of one queue with work, then 100 picks split exactly 60/30/10", () => {
    const lanes = BANDS.map((b) => lane("standard", b));
    assert.deepEqual(pickBands(lanes, 100), { high: 60, normal: 30, low: 10 });
  });

  it("given all three bands with work, then every window of 10 consecutive picks holds one low pick", () => {
    const s = new LaneScheduler();
    const lanes = BANDS.map((b) => lane("standard", b));
    const picks = Array.from({ length: 100 }, () => s.pick(lanes)?.band);
    for (let i = 0; i + 10 <= picks.length; i++) {
      const low = picks.slice(i, i + 10).filter((b) => b === "low").length;
      assert.equal(low, 1, `window at ${i}: ${picks.slice(i, i + 10).join(",")}`);
    }
  });

  it("given every band of all three queues with work, then 300 picks split 180/90/30", () => {
    const lanes = (["standard", "heavy", "critic"] as QueueName[]).flatMap((q) =>
      BANDS.map((b) => lane(q, b)),
    );
    assert.deepEqual(pickBands(lanes, 300), { high: 180, normal: 90, low: 30 });
  });

  it("given all bands of all queues, then each queue gets a third of the picks", () => {
    const s = new LaneScheduler();
    const lanes = (["standard", "heavy", "critic"] as QueueName[]).flatMap((q) =>
      BANDS.map((b) => lane(q, b)),
    );
    const perQueue = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const q = s.pick(lanes)?.queue ?? "none";
      perQueue.set(q, (perQueue.get(q) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(perQueue), { standard: 100, heavy: 100, critic: 100 });
  });

  const pairs: Array<{ bands: Band[]; n: number; want: Partial<Record<Band, number>> }> = [
    { bands: ["high", "low"], n: 70, want: { high: 60, low: 10 } },
    { bands: ["normal", "low"], n: 40, want: { normal: 30, low: 10 } },
    { bands: ["high", "normal"], n: 90, want: { high: 60, normal: 30 } },
  ];
  for (const p of pairs) {
    it(`given only ${p.bands.join(" and ")} with work, then ${p.n} picks split by their weights`, () => {
      const counts = pickBands(
        p.bands.map((b) => lane("standard", b)),
        p.n,
      );
      assert.deepEqual(counts, { high: 0, normal: 0, low: 0, ...p.want });
    });
  }
});

describe("LaneScheduler: availability", () => {
  it("given no lane with work, then nothing is picked", () => {
    assert.equal(new LaneScheduler().pick([]), undefined);
  });

  for (const band of BANDS) {
    it(`given only the ${band} band with work, then it is always picked`, () => {
      const s = new LaneScheduler();
      for (let i = 0; i < 50; i++) assert.deepEqual(s.pick([lane("heavy", band)]), lane("heavy", band));
    });
  }

  it("given a lone low band after a long run of high-band picks, then low is picked at once", () => {
    const s = new LaneScheduler();
    for (let i = 0; i < 50; i++) s.pick([lane("standard", "high")]);
    assert.equal(s.pick([lane("standard", "low")])?.band, "low");
  });

  it("given high work that keeps coming, then a low lane waits at most 10 picks", () => {
    const s = new LaneScheduler();
    const picks = Array.from({ length: 10 }, () => s.pick([lane("critic", "high"), lane("critic", "low")]));
    assert.ok(
      picks.some((p) => p?.band === "low"),
      picks.map((p) => p?.band).join(","),
    );
  });
});

describe("laneKey", () => {
  it("given a lane, then its key is queue.band", () => {
    assert.equal(laneKey(lane("critic", "low")), "critic.low");
  });
});
