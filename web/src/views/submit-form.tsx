// Submit a job: the spec, a count (or infinite), and the optional settings a submission takes.
// The gateway validates it; a refusal names the field at fault.
import { useState } from "preact/hooks";
import { type ApiError, api, type Submission } from "../api.ts";
import { ErrorNote } from "../components/bits.tsx";
import { go, href } from "../router.ts";

export function SubmitForm() {
  const [spec, setSpec] = useState("");
  const [count, setCount] = useState("3");
  const [infinite, setInfinite] = useState(false);
  const [model, setModel] = useState("");
  const [budget, setBudget] = useState("");
  const [priority, setPriority] = useState("");
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="submit-form"
      data-testid="submit-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(undefined);
        const s: Submission = { spec, count: infinite ? "infinite" : Number(count) };
        if (model.trim()) s.model = model.trim();
        if (budget.trim()) s.budget_usd = Number(budget);
        if (priority.trim()) s.priority = Number(priority);
        try {
          const accepted = await api.submit(s);
          go(href.job(accepted.job_id));
        } catch (err) {
          setError(err as ApiError);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label class="wide">
        Spec
        <textarea
          required
          rows={5}
          value={spec}
          placeholder="Write a 600-word blog post about …"
          onInput={(e) => setSpec(e.currentTarget.value)}
          data-testid="spec"
        />
      </label>
      <label>
        Count
        <input
          type="number"
          min={1}
          max={10000}
          value={count}
          disabled={infinite}
          onInput={(e) => setCount(e.currentTarget.value)}
          data-testid="count"
        />
      </label>
      <label class="check">
        <input type="checkbox" checked={infinite} onChange={(e) => setInfinite(e.currentTarget.checked)} />
        infinite (until stopped, the budget, or max_iterations)
      </label>
      <label>
        Model
        <input value={model} placeholder="default" onInput={(e) => setModel(e.currentTarget.value)} />
      </label>
      <label>
        Budget (USD)
        <input
          type="number"
          min={0}
          step="any"
          value={budget}
          placeholder="none"
          onInput={(e) => setBudget(e.currentTarget.value)}
        />
      </label>
      <label>
        Priority
        <input
          type="number"
          min={-500}
          max={500}
          value={priority}
          placeholder="0"
          onInput={(e) => setPriority(e.currentTarget.value)}
        />
      </label>
      <div class="wide">
        <button type="submit" class="btn primary" disabled={busy} data-testid="submit">
          Submit
        </button>
      </div>
      <div class="wide">
        <ErrorNote error={error} />
      </div>
    </form>
  );
}
