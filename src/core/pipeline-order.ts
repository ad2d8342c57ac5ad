/**
 * Dependency order of pipeline stages: a stage runs after every stage whose
 * `outs` it lists in `deps` (a dep inside an out directory counts).
 */
export interface StageNode {
  name: string;
  deps: string[];
  outs: string[];
}

export type OrderResult = { ok: true; order: string[] } | { ok: false; cycle: string[] };

export function pipelineOrder(stages: StageNode[]): OrderResult {
  const producer = new Map<string, string>();
  for (const s of stages) for (const out of s.outs) producer.set(normalize(out), s.name);
  const needs = new Map<string, string[]>();
  for (const s of stages) {
    const before = new Set<string>();
    for (const dep of s.deps) {
      const d = normalize(dep);
      for (const [out, name] of producer) {
        if (name !== s.name && (d === out || d.startsWith(`${out}/`))) before.add(name);
      }
    }
    needs.set(s.name, [...before]);
  }
  // depth-first topological sort; config order breaks ties so output is stable
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const dep of needs.get(name) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    order.push(name);
    return undefined;
  };
  for (const s of stages) {
    const cycle = visit(s.name);
    if (cycle) return { ok: false, cycle };
  }
  return { ok: true, order };
}

function normalize(path: string): string {
  return path.replace(/^\.\//, "").replace(/\/+$/, "");
}
