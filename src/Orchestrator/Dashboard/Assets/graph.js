// The step graph: columns by dependency depth (a step sits one column right of its deepest dependency), so steps
// that can run in parallel stand side by side in one column; edges run from each dependency to its dependant.
import { el } from './ui.js';

const W = 184, H = 52, GX = 56, GY = 14, PAD = 8;

export function layout(steps) {
  const byName = new Map(steps.map(s => [s.name, s]));
  const depth = new Map();
  const visit = (name, seen) => {
    if (depth.has(name)) return depth.get(name);
    if (seen.has(name)) return 0; // a cycle cannot come from the planner; draw it flat rather than loop
    seen.add(name);
    const deps = (byName.get(name)?.dependsOn ?? []).filter(d => byName.has(d));
    const d = deps.length ? Math.max(...deps.map(x => visit(x, seen))) + 1 : 0;
    depth.set(name, d);
    return d;
  };
  steps.forEach(s => visit(s.name, new Set()));
  const columns = [];
  for (const s of steps) (columns[depth.get(s.name)] ??= []).push(s);
  const place = new Map();
  columns.forEach((column, c) => column.forEach((s, r) => place.set(s.name, { x: PAD + c * (W + GX), y: PAD + r * (H + GY) })));
  const rows = Math.max(1, ...columns.map(c => c.length));
  // A run without steps (one that failed before planning) draws an empty graph, never a negative size.
  return { place, width: Math.max(0, PAD * 2 + columns.length * (W + GX) - GX), height: Math.max(0, PAD * 2 + rows * (H + GY) - GY) };
}

export function drawGraph(steps, onSelect) {
  const { place, width, height } = layout(steps);
  const svg = el('svg:svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'step-graph', role: 'img', 'aria-label': 'step graph' });
  const edges = el('svg:g', { class: 'edges' });
  const nodes = el('svg:g', { class: 'nodes' });
  svg.append(edges, nodes);
  for (const s of steps) {
    const to = place.get(s.name);
    for (const dep of s.dependsOn ?? []) {
      const from = place.get(dep);
      if (!from) continue;
      const x1 = from.x + W, y1 = from.y + H / 2, x2 = to.x, y2 = to.y + H / 2, mx = (x1 + x2) / 2;
      edges.append(el('svg:path', { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, class: 'edge', 'data-from': dep, 'data-to': s.name }));
    }
  }
  for (const s of steps) {
    const { x, y } = place.get(s.name);
    const g = el('svg:g', { class: `node s-${s.status}`, transform: `translate(${x},${y})`, 'data-step': s.name, 'data-status': s.status, tabindex: 0 },
      el('svg:title', {}, `${s.name} (${s.kind}): ${s.status}${s.error ? ` — ${s.error}` : ''}`),
      el('svg:rect', { width: W, height: H, rx: 6, class: 'box' }),
      el('svg:text', { x: 10, y: 19, class: 'name' }, clip(s.name, 24)),
      el('svg:text', { x: 10, y: 37, class: 'state' }, `${s.status}${s.attempt > 1 ? ` · try ${s.attempt}` : ''}`));
    const p = s.progress;
    if (p && Number.isFinite(p.done)) {
      const fraction = p.total ? Math.min(1, p.done / p.total) : null;
      g.append(el('svg:rect', { x: 10, y: 42, width: W - 20, height: 5, rx: 2, class: 'bar-bg' }));
      g.append(el('svg:rect', { x: 10, y: 42, width: ((W - 20) * (fraction ?? 0.1)).toFixed(1), height: 5, rx: 2, class: fraction === null ? 'bar indeterminate' : 'bar', 'data-progress': fraction ?? '' }));
    }
    g.addEventListener('click', () => onSelect?.(s.name));
    g.addEventListener('keydown', e => { if (e.key === 'Enter') onSelect?.(s.name); });
    nodes.append(g);
  }
  return svg;
}

function clip(text, n) {
  return text.length > n ? text.slice(0, n - 1) + '…' : text;
}
