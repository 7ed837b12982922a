// A worker's executors, one per route, with each one's health: its credentials (probed at start and,
// while failed or when they are read from a directory that can be rotated, every recheck interval;
// updated by every run) and usage-limit holds. The rules are
// the core's (src/core/worker/executor-health.ts); this shell runs the probes and keeps the state.
import { errorMessage } from "../../core/errors.ts";
import type { Executor } from "../../core/ports/executor.ts";
import type { Logger } from "../../core/ports/logger.ts";
import type { RateLimitInfo } from "../../core/providers/rate-limits.ts";
import type { Route } from "../../core/providers/routes.ts";
import type { AfterRun } from "../../core/worker/after-run.ts";
import {
  afterAnswer,
  afterAuthFailure,
  afterProbe,
  hold,
  initialHealth,
  isAvailable,
} from "../../core/worker/executor-health.ts";
import type { ExecutorHealth, ExecutorStatus } from "../../core/worker/status.ts";

/** Limits kept per route: the latest per model, at most this many models. */
const MAX_MODELS_WITH_LIMITS = 50;

export class WorkerExecutors {
  private readonly health = new Map<Route, ExecutorHealth>();
  private readonly limits = new Map<Route, Map<string, RateLimitInfo>>();
  private recheck: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly executors: ReadonlyMap<Route, Executor>,
    private readonly log: Logger,
    /** Called after any change of health (the worker republishes its status). */
    private readonly onChange: () => void,
    private readonly recheckMs: number,
  ) {
    for (const route of executors.keys()) this.health.set(route, initialHealth(Date.now()));
  }

  /** The routes this worker serves. */
  get routes(): Route[] {
    return [...this.executors.keys()];
  }

  /** The executor of a route, if this worker serves it. */
  forRoute(route: Route): Executor | undefined {
    return this.executors.get(route);
  }

  /** Whether the route's work may be taken now. */
  available(route: Route, now = Date.now()): boolean {
    const h = this.health.get(route);
    return h !== undefined && isAvailable(h, now);
  }

  /** How long to put back work of a route that is not available (ms). */
  unavailableFor(route: Route, now = Date.now()): number {
    const until = this.health.get(route)?.held_until;
    const held = until ? Date.parse(until) - now : 0;
    return Math.max(held, Math.min(this.recheckMs, 30_000), 1000);
  }

  /** Probe every executor once now, then keep re-probing failed ones and those whose credentials can change. */
  async start(): Promise<void> {
    await this.probeAll(() => true);
    this.recheck = setInterval(() => {
      this.probing ??= this.probeAll(
        (h, ex) => h.auth.state === "failed" || ex.rechecksCredentials === true,
      ).finally(() => {
        this.probing = undefined;
      });
    }, this.recheckMs);
    this.recheck.unref();
  }

  async stop(): Promise<void> {
    if (this.recheck) clearInterval(this.recheck);
    await this.probing;
  }

  /** What a run's decision says about the executor: a refusal of its credentials, a hold, limits. */
  afterRun(route: Route, model: string, decision: AfterRun, answered: boolean): void {
    const now = Date.now();
    if (decision.limits) this.observeLimits(route, model, decision.limits);
    if (decision.authFailed) {
      this.update(route, (h) => afterAuthFailure(h, decision.authFailed?.reason ?? "refused", now));
      this.log.error(
        { route, reason: decision.authFailed.reason },
        `${route} credentials were refused: this worker takes no ${route} work until they work again`,
      );
    } else if (answered) this.update(route, (h) => afterAnswer(h, now));
    if (decision.holdRoute) {
      const { until, reason } = decision.holdRoute;
      this.update(route, (h) => hold(h, until, reason));
      this.log.warn({ route, until: new Date(until).toISOString() }, `${route} held: ${reason}`);
    }
  }

  /** Every route's status, for the worker's published status. */
  statuses(now = Date.now()): ExecutorStatus[] {
    return this.routes.map((route) => {
      const h = this.health.get(route) ?? initialHealth(now);
      const limits = this.limits.get(route);
      // Fingerprints only decide whether credentials changed; they stay in this process.
      const { fingerprint: _f, refused_fingerprint: _r, ...auth } = h.auth;
      return {
        ...h,
        auth,
        route,
        executor: this.executors.get(route)?.name ?? route,
        available: isAvailable(h, now),
        ...(limits && limits.size > 0 ? { limits: Object.fromEntries(limits) } : {}),
      };
    });
  }

  private observeLimits(route: Route, model: string, info: RateLimitInfo): void {
    const m = this.limits.get(route) ?? new Map<string, RateLimitInfo>();
    m.delete(model);
    m.set(model, info);
    while (m.size > MAX_MODELS_WITH_LIMITS) m.delete(m.keys().next().value as string);
    this.limits.set(route, m);
  }

  private update(route: Route, f: (h: ExecutorHealth) => ExecutorHealth): void {
    const before = this.health.get(route);
    if (!before) return;
    const after = f(before);
    if (after === before) return;
    this.health.set(route, after);
    this.onChange();
  }

  /** Probe each distinct executor whose route's health passes `which`; echo (no probe) is skipped. */
  private async probeAll(which: (h: ExecutorHealth, ex: Executor) => boolean): Promise<void> {
    const byExecutor = new Map<Executor, Route[]>();
    for (const [route, ex] of this.executors) {
      const h = this.health.get(route);
      if (!ex.probeAuth || !h || !which(h, ex)) continue;
      byExecutor.set(ex, [...(byExecutor.get(ex) ?? []), route]);
    }
    await Promise.all(
      [...byExecutor].map(async ([ex, routes]) => {
        try {
          const probe = await (ex.probeAuth as NonNullable<Executor["probeAuth"]>)();
          const now = Date.now();
          for (const route of routes) {
            const was = this.health.get(route)?.auth.state;
            this.update(route, (h) => afterProbe(h, probe, now));
            const is = this.health.get(route)?.auth.state;
            if (is !== was)
              this.log.info({ route, auth: is, detail: probe.detail }, `${route} credentials: ${is}`);
          }
        } catch (err) {
          this.log.warn({ err: errorMessage(err), executor: ex.name }, "credentials check failed");
        }
      }),
    );
  }
}
