import { type AslGraph, aslGraph } from './asl-graph';
import { escapeHtml } from './html';

/** Where an execution went: states entered in order, the one it stands in (or stopped at), and whether it failed there. */
export interface ExecutionPath {
  entered: string[];
  current?: string;
  failed?: boolean;
}

const NODE_W = 180;
const NODE_H = 34;
const GAP_X = 24;
const GAP_Y = 56;
const MARGIN = 20;

/**
 * Layers the graph: each state one row below the lowest state that leads to it, back edges (loops)
 * ignored, so the drawing reads top to bottom in the order an execution runs.
 */
function layers(graph: AslGraph): Map<string, number> {
  const out = new Map<string, string[]>();
  for (const e of graph.edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const back = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string) => {
    state.set(id, 'open');
    for (const to of out.get(id) ?? []) {
      if (state.get(to) === 'open') back.add(`${id}>${to}`);
      else if (!state.has(to)) visit(to);
    }
    state.set(id, 'done');
  };
  visit(graph.startAt);
  for (const n of graph.nodes) if (!state.has(n.id)) visit(n.id);
  const layer = new Map<string, number>(graph.nodes.map((n) => [n.id, 0]));
  // Longest path over the acyclic rest; as many passes as nodes bound it.
  for (let pass = 0; pass < graph.nodes.length; pass++) {
    let changed = false;
    for (const e of graph.edges) {
      if (back.has(`${e.from}>${e.to}`)) continue;
      const want = (layer.get(e.from) ?? 0) + 1;
      if ((layer.get(e.to) ?? 0) < want) {
        layer.set(e.to, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return layer;
}

/** The state machine as an SVG layered graph, with the execution's path and position highlighted. */
export function svgOf(definition: unknown, path: ExecutionPath = { entered: [] }): string {
  const graph = aslGraph(definition);
  const layer = layers(graph);
  const rows: string[][] = [];
  for (const n of graph.nodes) {
    const r = layer.get(n.id)!;
    rows[r] = [...(rows[r] ?? []), n.id];
  }
  // Each row ordered by where its states' predecessors sit (barycentre), which untangles most crossings.
  const column = new Map<string, number>();
  const preds = new Map<string, string[]>();
  for (const e of graph.edges)
    if ((layer.get(e.from) ?? 0) < (layer.get(e.to) ?? 0)) preds.set(e.to, [...(preds.get(e.to) ?? []), e.from]);
  for (const row of rows) {
    if (!row) continue;
    const weight = (id: string) => {
      const ps = (preds.get(id) ?? []).filter((p) => column.has(p));
      return ps.length ? ps.reduce((sum, p) => sum + column.get(p)!, 0) / ps.length : Number.POSITIVE_INFINITY;
    };
    const weights = new Map(row.map((id) => [id, weight(id)]));
    row.sort((a, b) => (weights.get(a)! === weights.get(b)! ? 0 : weights.get(a)! < weights.get(b)! ? -1 : 1));
    row.forEach((id, i) => {
      column.set(id, i - (row.length - 1) / 2);
    });
  }
  const position = new Map<string, { x: number; y: number }>();
  const widest = Math.max(...rows.map((r) => r?.length ?? 0));
  const width = MARGIN * 2 + widest * (NODE_W + GAP_X);
  rows.forEach((row = [], r) => {
    const offset = (width - row.length * (NODE_W + GAP_X)) / 2;
    row.forEach((id, i) => {
      position.set(id, { x: offset + i * (NODE_W + GAP_X) + GAP_X / 2, y: MARGIN + r * (NODE_H + GAP_Y) });
    });
  });
  const height = MARGIN * 2 + rows.length * (NODE_H + GAP_Y);
  const nameOf = new Map(graph.nodes.map((n) => [n.id, n.name]));
  const visited = new Set(path.entered);
  const taken = new Set(path.entered.slice(1).map((to, i) => `${path.entered[i]}>${to}`));

  const edges = graph.edges.map((e) => {
    const a = position.get(e.from);
    const b = position.get(e.to);
    if (!a || !b) return '';
    const x1 = a.x + NODE_W / 2;
    const y1 = a.y + NODE_H;
    const x2 = b.x + NODE_W / 2;
    const y2 = b.y;
    const upward = y2 <= y1;
    // A loop back up is drawn as a curve out to the right, so it does not cross the states between.
    const d = upward
      ? `M${a.x + NODE_W} ${a.y + NODE_H / 2} C${a.x + NODE_W + 60} ${a.y}, ${b.x + NODE_W + 60} ${b.y + NODE_H}, ${b.x + NODE_W} ${b.y + NODE_H / 2}`
      : `M${x1} ${y1} C${x1} ${y1 + GAP_Y / 2}, ${x2} ${y2 - GAP_Y / 2}, ${x2} ${y2}`;
    const classes = ['edge', e.kind, taken.has(`${nameOf.get(e.from)}>${nameOf.get(e.to)}`) ? 'taken' : '']
      .filter(Boolean)
      .join(' ');
    const title = `${nameOf.get(e.from)} → ${nameOf.get(e.to)}${e.label ? ` (${e.label})` : ''}`;
    return `<path class="${classes}" d="${d}" marker-end="url(#arrow)"><title>${escapeHtml(title)}</title></path>`;
  });
  const nodes = graph.nodes.map((n) => {
    const p = position.get(n.id)!;
    const current = path.current === n.name;
    const classes = [
      'state',
      n.type.toLowerCase(),
      visited.has(n.name) ? 'visited' : '',
      current ? (path.failed ? 'failed' : 'current') : '',
    ]
      .filter(Boolean)
      .join(' ');
    const label = n.name.length > 24 ? `${n.name.slice(0, 23)}…` : n.name;
    const rx = n.type === 'Choice' ? 16 : n.type === 'Succeed' || n.type === 'Fail' ? 17 : 4;
    return `<g class="${classes}" data-state="${escapeHtml(n.name)}"><title>${escapeHtml(`${n.name} (${n.type}${n.group ? `, in ${n.group}` : ''})`)}</title><rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${NODE_H}" rx="${rx}"/><text x="${p.x + NODE_W / 2}" y="${p.y + NODE_H / 2 + 4}" text-anchor="middle">${escapeHtml(label)}</text></g>`;
  });
  return `<svg class="graph" role="img" aria-label="State machine graph" viewBox="0 0 ${width + 80} ${height}" width="${width + 80}" height="${height}" xmlns="http://www.w3.org/2000/svg"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"/></marker></defs>${edges.join('')}${nodes.join('')}</svg>`;
}
