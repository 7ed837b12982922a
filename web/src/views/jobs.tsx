// The jobs list: newest first, filtered by status, spec text and time, a page at a time. It stays
// live without reading everything again: rows whose jobs had events are read again by id (with the
// same filters, so a job that no longer matches leaves), and a job the list does not know yet makes
// it read the first page again.
import { Component } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { type ApiError, api, type JobSummary } from "../api.ts";
import { Badge, ErrorNote, JobBar, Section } from "../components/bits.tsx";
import { count, score, short, usd } from "../format.ts";
import { asApiError } from "../hooks.ts";
import { live } from "../live.ts";
import { href } from "../router.ts";
import { SubmitForm } from "./submit-form.tsx";

/** Rows of the first page; "Load older" reads MORE_PAGE at a time. */
const PAGE = 100;
const MORE_PAGE = 500;
const REFRESH_MS = 500;
/** Ids per refresh request (the route takes up to 500). */
const IDS_PER_READ = 200;

type Filters = { status: string; q: string; from: string; to: string };

const newestFirst = (a: JobSummary, b: JobSummary) =>
  a.created_at !== b.created_at ? (a.created_at < b.created_at ? 1 : -1) : a.job_id < b.job_id ? 1 : -1;

/** A datetime-local value as an ISO time (it is local time). */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

export function JobsView() {
  const [filters, setFilters] = useState<Filters>({ status: "", q: "", from: "", to: "" });
  const [text, setText] = useState("");
  const [rows, setRows] = useState<Map<string, JobSummary>>(new Map());
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<ApiError>();
  // Open at first when there is no job yet; after that, as the user leaves it.
  const [formOpen, setFormOpen] = useState<boolean | null>(null);
  const shown = useRef(rows);
  shown.current = rows;
  const st = useRef({
    dirty: new Map<string, number>(),
    fresh: 0,
    checkpoint: 0,
    timer: 0 as unknown,
    busy: false,
  });

  const params = (f: Filters) => ({
    status: f.status || undefined,
    q: f.q || undefined,
    from: isoOf(f.from),
    to: isoOf(f.to),
  });

  // Debounce typing in the text filter.
  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.q === text ? f : { ...f, q: text })), 300);
    return () => clearTimeout(t);
  }, [text]);

  useEffect(() => {
    let alive = true;
    const s = st.current;
    s.dirty.clear();
    s.fresh = 0;
    setLoaded(false);
    setError(undefined);
    const p = params(filters);
    api.jobs({ ...p, limit: PAGE }).then(
      (page) => {
        if (!alive) return;
        s.checkpoint = page.checkpoint;
        setRows(new Map(page.items.map((j) => [j.job_id, j])));
        setCursor(page.next_cursor);
        setLoaded(true);
        setFormOpen((open) => open ?? page.items.length === 0);
      },
      (err) => alive && setError(asApiError(err)),
    );

    const refresh = async () => {
      s.timer = 0;
      if (!alive || s.busy) return;
      s.busy = true;
      try {
        const fresh = s.fresh;
        const dirty = new Map(s.dirty);
        s.fresh = 0;
        s.dirty.clear();
        const updates: JobSummary[] = [];
        const gone: string[] = [];
        let checkpoint = Number.MAX_SAFE_INTEGER;
        if (fresh > 0) {
          const page = await api.jobs({ ...p, limit: PAGE });
          updates.push(...page.items);
          checkpoint = Math.min(checkpoint, page.checkpoint);
          if (page.checkpoint < fresh) s.fresh = Math.max(s.fresh, fresh);
        }
        const ids = [...dirty.keys()];
        for (let i = 0; i < ids.length; i += IDS_PER_READ) {
          const chunk = ids.slice(i, i + IDS_PER_READ);
          const page = await api.jobs({ ...p, ids: chunk.join(","), limit: chunk.length });
          const found = new Set(page.items.map((j) => j.job_id));
          updates.push(...page.items);
          for (const id of chunk) {
            const seq = dirty.get(id) ?? 0;
            if (page.checkpoint < seq) s.dirty.set(id, Math.max(seq, s.dirty.get(id) ?? 0));
            else if (!found.has(id)) gone.push(id);
          }
          checkpoint = Math.min(checkpoint, page.checkpoint);
        }
        if (!alive) return;
        if (checkpoint !== Number.MAX_SAFE_INTEGER) s.checkpoint = Math.max(s.checkpoint, checkpoint);
        setRows((old) => {
          const next = new Map(old);
          for (const j of updates) next.set(j.job_id, j);
          for (const id of gone) next.delete(id);
          return next;
        });
      } catch (err) {
        if (alive) setError(asApiError(err));
      } finally {
        s.busy = false;
        if (alive && (s.fresh > 0 || s.dirty.size > 0)) schedule();
      }
    };
    const schedule = () => {
      if (!s.timer) s.timer = setTimeout(() => void refresh(), REFRESH_MS);
    };

    const off = live.subscribe((batch) => {
      let any = false;
      for (const e of batch) {
        const id = e.job_id;
        // Older than what the list was read at: already in it.
        if (!id || e.seq <= s.checkpoint) continue;
        if (shown.current.has(id)) {
          s.dirty.set(id, Math.max(e.seq, s.dirty.get(id) ?? 0));
          any = true;
        } else if (e.type === "job.submitted" || e.type === "job.accepted" || e.type === "job.rejected") {
          s.fresh = Math.max(s.fresh, e.seq);
          any = true;
        }
      }
      if (any) schedule();
    });
    return () => {
      alive = false;
      off();
      clearTimeout(s.timer as number);
      s.timer = 0;
    };
  }, [filters]);

  const list = [...rows.values()].sort(newestFirst);
  const more = async () => {
    if (!cursor) return;
    try {
      const page = await api.jobs({ ...params(filters), limit: MORE_PAGE, cursor });
      setRows((old) => {
        const next = new Map(old);
        for (const j of page.items) next.set(j.job_id, j);
        return next;
      });
      setCursor(page.next_cursor);
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <div>
      <details
        class="new-job"
        open={formOpen ?? false}
        onToggle={(e) => setFormOpen((e.currentTarget as HTMLDetailsElement).open)}
      >
        <summary data-testid="new-job">Submit a job</summary>
        <SubmitForm />
      </details>
      <Section
        title="Jobs"
        extra={
          <span class="muted" data-testid="jobs-count">
            {loaded ? `${count(list.length)} shown${cursor ? " (more below)" : ""}` : "loading…"}
          </span>
        }
      >
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            Status
            <select
              value={filters.status}
              onChange={(e) => setFilters({ ...filters, status: e.currentTarget.value })}
              data-testid="filter-status"
            >
              <option value="">any</option>
              {["submitted", "running", "completed", "cancelled", "rejected"].map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Spec contains
            <input value={text} onInput={(e) => setText(e.currentTarget.value)} data-testid="filter-text" />
          </label>
          <label>
            Created from
            <input
              type="datetime-local"
              value={filters.from}
              onChange={(e) => setFilters({ ...filters, from: e.currentTarget.value })}
            />
          </label>
          <label>
            to
            <input
              type="datetime-local"
              value={filters.to}
              onChange={(e) => setFilters({ ...filters, to: e.currentTarget.value })}
            />
          </label>
        </form>
        <ErrorNote error={error} />
        <table class="list fixed" data-testid="jobs-table">
          <colgroup>
            <col style={{ width: "170px" }} />
            <col />
            <col style={{ width: "100px" }} />
            <col style={{ width: "200px" }} />
            <col style={{ width: "190px" }} />
            <col style={{ width: "80px" }} />
            <col style={{ width: "70px" }} />
            <col style={{ width: "130px" }} />
          </colgroup>
          <thead>
            <tr>
              <th>job</th>
              <th>spec</th>
              <th>status</th>
              <th>iterations</th>
              <th>tasks</th>
              <th>cost</th>
              <th>quality</th>
              <th>created</th>
            </tr>
          </thead>
          <tbody>
            {list.map((j) => (
              <JobRow key={j.job_id} job={j} />
            ))}
          </tbody>
        </table>
        {loaded && list.length === 0 ? (
          <p class="muted">No jobs{filters.status || filters.q ? " match" : " yet"}.</p>
        ) : null}
        {cursor ? (
          <button type="button" class="btn plain" onClick={more} data-testid="more-jobs">
            Load older jobs
          </button>
        ) : null}
      </Section>
    </div>
  );
}

/** One row; a job's summary is replaced, never changed, so an unchanged row skips rendering. */
class JobRow extends Component<{ job: JobSummary }> {
  override shouldComponentUpdate(next: { job: JobSummary }): boolean {
    return next.job !== this.props.job;
  }

  override render() {
    const j = this.props.job;
    const busy = (j.progress.running ?? 0) + (j.progress.cancel_requested ?? 0);
    const waiting = (j.progress.queued ?? 0) + (j.progress.pending ?? 0) + (j.progress.interrupted ?? 0);
    return (
      <tr data-job={j.job_id} data-status={j.status}>
        <td>
          <a href={href.job(j.job_id)} class="mono">
            {j.job_id}
          </a>
        </td>
        <td class="spec-cell" title={j.spec_excerpt ?? ""}>
          {j.spec_excerpt ?? "(spec not seen)"}
        </td>
        <td>
          <Badge status={j.status} />
        </td>
        <td>
          <JobBar job={j} />
        </td>
        <td class="num">
          {j.tasks_total}
          {busy + waiting > 0 ? (
            <span class="muted">
              {" "}
              (
              {[busy ? `${busy} running` : "", waiting ? `${waiting} waiting` : ""]
                .filter(Boolean)
                .join(", ")}
              )
            </span>
          ) : null}
        </td>
        <td class="num">{usd(j.cost_usd)}</td>
        <td class="num">{score(j.quality.quality, j.quality.critiques)}</td>
        <td title={j.created_at}>{short(j.created_at)}</td>
      </tr>
    );
  }
}
