// Hash routes (#/jobs, #/jobs/ID, #/tasks/ID, …): deep links that need no server route.
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { name: "jobs" }
  | { name: "job"; id: string }
  | { name: "task"; id: string }
  | { name: "queues" }
  | { name: "events" }
  | { name: "charts" };

const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The route a location hash names (unknown ones show the jobs list). */
export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const [head, id] = parts;
  if ((head === "jobs" || head === "job") && id && ID.test(id)) return { name: "job", id };
  if ((head === "tasks" || head === "task") && id && ID.test(id)) return { name: "task", id };
  if (head === "queues") return { name: "queues" };
  if (head === "events") return { name: "events" };
  if (head === "charts") return { name: "charts" };
  return { name: "jobs" };
}

export const href = {
  jobs: "#/jobs",
  job: (id: string) => `#/jobs/${encodeURIComponent(id)}`,
  task: (id: string) => `#/tasks/${encodeURIComponent(id)}`,
  queues: "#/queues",
  events: "#/events",
  charts: "#/charts",
};

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

/** Go to a route. */
export function go(to: string): void {
  location.hash = to;
}
