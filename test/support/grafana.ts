// A Grafana dashboard JSON as tests read it: its panels (rows' nested panels included) and their
// PromQL queries.
export type Panel = {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ refId?: string; expr?: string }>;
  panels?: Panel[];
};

export type Dashboard = { uid: string; title: string; panels: Panel[] };

/** Every panel, rows' nested ones included. */
export function allPanels(d: Dashboard): Panel[] {
  const out: Panel[] = [];
  const walk = (ps: readonly Panel[]) => {
    for (const p of ps) {
      out.push(p);
      walk(p.panels ?? []);
    }
  };
  walk(d.panels);
  return out;
}

/** Every query of every panel, with its panel. */
export function dashboardQueries(d: Dashboard): Array<{ panel: Panel; expr: string }> {
  return allPanels(d).flatMap((panel) =>
    (panel.targets ?? []).flatMap((t) => (t.expr ? [{ panel, expr: t.expr }] : [])),
  );
}
