// The shapes of a benchmark run's results: what main.ts collects and the report sections print.
import type { BullPhaseResult } from "./bullmq.ts";
import type { LimitResult } from "./jetstream-limit.ts";
import type { PhaseResult } from "./lifecycle.ts";
import type { MemoryResult } from "./memory.ts";
import type { BenchOptions } from "./options.ts";

export type Round = {
  limit?: LimitResult & {
    payloadBytes: number;
    messagesPerLifecycle: number;
    /** Whether messagesPerLifecycle was measured in this round (else assumed). */
    measured: boolean;
    lifecyclesPerSec: number;
  };
  ours?: { saturated: PhaseResult; pacedRate: number; paced?: PhaseResult };
  bull?: { saturated: BullPhaseResult; pacedOwn?: BullPhaseResult; pacedOurs?: BullPhaseResult };
};

export type BenchReport = {
  options: BenchOptions;
  machine: {
    natsServer: string;
    redis: string | undefined;
    projections: string;
    /** 1-minute load average at the start and the end (the machine is shared). */
    load: [number, number];
  };
  rounds: Round[];
  memory: MemoryResult | undefined;
  elapsedMs: number;
};
