// The page: sign-in when the gateway needs one, else the header (navigation, system state, stop and
// resume), the STOPPED banner, the current view, and the live feed's status.
import { useEffect, useState } from "preact/hooks";
import { api, type SessionState, type SystemView, whenUnauthorized } from "../api.ts";
import { Action } from "../components/bits.tsx";
import { ago, count, when } from "../format.ts";
import { useResource } from "../hooks.ts";
import { live } from "../live.ts";
import { href, type Route, useRoute } from "../router.ts";
import { ChartsView } from "./charts.tsx";
import { EventsView } from "./events.tsx";
import { JobView } from "./job.tsx";
import { JobsView } from "./jobs.tsx";
import { QueuesView } from "./queues.tsx";
import { SignIn } from "./sign-in.tsx";
import { TaskPage } from "./task.tsx";

/** Events of the stream's tail the feed starts with, so the events view is not empty at first. */
const FEED_HISTORY = 100;

export function App() {
  const [session, setSession] = useState<SessionState | null>(null);
  useEffect(() => {
    whenUnauthorized(() => setSession((s) => (s ? { ...s, signed_in: false } : s)));
    api.session().then(setSession, () => setSession({ required: true, signed_in: false, expires_at: null }));
  }, []);
  if (!session) return <p class="boot">Loading…</p>;
  if (session.required && !session.signed_in) {
    live.stop();
    return <SignIn onSignedIn={setSession} />;
  }
  return <Shell session={session} onSignedOut={setSession} />;
}

function Shell({ session, onSignedOut }: { session: SessionState; onSignedOut: (s: SessionState) => void }) {
  const route = useRoute();
  const system = useResource(
    api.system,
    (e) => e.type.startsWith("system.") || e.type.startsWith("queue."),
    [],
  );
  const checkpoint = system.data?.checkpoint;
  useEffect(() => {
    if (checkpoint !== undefined) live.start(checkpoint - FEED_HISTORY);
  }, [checkpoint !== undefined]);
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href={href.jobs}>
          infinite-agents
        </a>
        <nav>
          <NavLink
            to={href.jobs}
            active={route.name === "jobs" || route.name === "job" || route.name === "task"}
          >
            Jobs
          </NavLink>
          <NavLink to={href.queues} active={route.name === "queues"}>
            Queues
          </NavLink>
          <NavLink to={href.events} active={route.name === "events"}>
            Events
          </NavLink>
          <NavLink to={href.charts} active={route.name === "charts"}>
            Quality &amp; cost
          </NavLink>
        </nav>
        <SystemControls system={system.data} />
        {session.required ? (
          <button type="button" class="btn plain" onClick={async () => onSignedOut(await api.signOut())}>
            Sign out
          </button>
        ) : null}
      </header>
      {system.data?.stopped ? <StoppedBanner system={system.data} /> : null}
      {system.data && system.data.paused.length > 0 ? (
        <div class="paused-banner" data-testid="paused-banner">
          Paused:{" "}
          {system.data.paused.map((p) => (
            <span key={p.queue} class="chip fair">
              {p.queue} ({p.reason}, {ago(p.since)})
            </span>
          ))}
        </div>
      ) : null}
      <main>{checkpoint === undefined ? <p class="muted">Connecting…</p> : <View route={route} />}</main>
      <LiveFooter />
    </div>
  );
}

function NavLink(p: { to: string; active: boolean; children: string }) {
  return (
    <a href={p.to} class={p.active ? "active" : ""}>
      {p.children}
    </a>
  );
}

function View({ route }: { route: Route }) {
  switch (route.name) {
    case "jobs":
      return <JobsView />;
    case "job":
      return <JobView id={route.id} />;
    case "task":
      return <TaskPage id={route.id} />;
    case "queues":
      return <QueuesView />;
    case "events":
      return <EventsView />;
    case "charts":
      return <ChartsView />;
    default: {
      const never: never = route;
      return never;
    }
  }
}

/** Stop (with a reason) or resume, from any page. */
function SystemControls({ system }: { system: SystemView | undefined }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState("");
  if (!system) return <span class="system" />;
  if (system.stopped)
    return (
      <span class="system">
        <Action label="Resume" kind="primary" testId="resume" run={() => api.resume()} />
      </span>
    );
  if (!asking)
    return (
      <span class="system">
        <span class="chip good" data-testid="system-running">
          running
        </span>
        <button type="button" class="btn danger" data-testid="stop" onClick={() => setAsking(true)}>
          Emergency stop…
        </button>
      </span>
    );
  return (
    <form
      class="system"
      onSubmit={(e) => {
        e.preventDefault();
      }}
    >
      <input
        aria-label="reason for the stop"
        placeholder="reason (recorded)"
        value={reason}
        onInput={(e) => setReason(e.currentTarget.value)}
        data-testid="stop-reason"
      />
      <Action
        label="Stop all agents"
        kind="danger"
        testId="stop-confirm"
        run={async () => {
          await api.stop(reason.trim() || "stopped from the dashboard");
          setAsking(false);
          setReason("");
        }}
      />
      <button type="button" class="btn plain" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </form>
  );
}

function StoppedBanner({ system }: { system: SystemView }) {
  return (
    <div class="stopped-banner" role="alert" data-testid="stopped-banner">
      <strong>STOPPED</strong> <span data-testid="stopped-reason">{system.stop_reason ?? ""}</span>
      <span class="since">
        since {when(system.stopped_since)} ({ago(system.stopped_since)}) · workers take no work; running
        agents were stopped and their tasks wait in their queues
      </span>
      <Action label="Resume" kind="primary" testId="banner-resume" run={() => api.resume()} />
    </div>
  );
}

function LiveFooter() {
  const [, setN] = useState(0);
  useEffect(() => {
    const offStatus = live.onStatus(() => setN((n) => n + 1));
    const timer = setInterval(() => setN((n) => n + 1), 1000);
    return () => {
      offStatus();
      clearInterval(timer);
    };
  }, []);
  const s = live.stats;
  return (
    <footer class="foot">
      <span
        id="live-stats"
        data-status={live.status}
        data-received={s.received}
        data-applied={s.applied}
        data-last-seq={s.lastSeq}
      >
        <span class={`dot ${live.status}`} /> {live.status} · {count(s.applied)} events applied · last seq{" "}
        {s.lastSeq}
      </span>
      <a href="/docs">API docs</a>
    </footer>
  );
}
