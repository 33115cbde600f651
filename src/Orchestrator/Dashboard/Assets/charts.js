// Small SVG plots: a sparkline for tables and a time-series chart with its axes, drawn from the stored samples.
import { el } from './ui.js';

export function sparkline(values, { width = 120, height = 24, label = '' } = {}) {
  const svg = el('svg:svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'sparkline', role: 'img', 'aria-label': label });
  const points = values.filter(v => Number.isFinite(v));
  if (points.length < 1) return svg;
  const max = Math.max(...points), min = Math.min(...points);
  const span = max - min || 1;
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  const coords = points.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`);
  svg.append(el('svg:polyline', { points: coords.join(' '), class: 'line' }));
  if (points.length === 1) svg.append(el('svg:circle', { cx: 2, cy: height / 2, r: 2, class: 'dot' }));
  return svg;
}

/** series: [{ name, points: [{ t: Date, v: number|null }] }]; one chart, shared axes. */
export function timeChart(title, unit, series, { width = 560, height = 170 } = {}) {
  const pad = { l: 48, r: 8, t: 8, b: 22 };
  const all = series.flatMap(s => s.points.filter(p => Number.isFinite(p.v)));
  const svg = el('svg:svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title, 'data-points': all.length });
  const figure = el('figure', { class: 'plot' }, el('figcaption', {}, title, unit ? el('span', { class: 'muted' }, ` (${unit})`) : null), svg);
  if (!all.length) {
    svg.append(el('svg:text', { x: width / 2, y: height / 2, class: 'empty', 'text-anchor': 'middle' }, 'no samples yet'));
    return figure;
  }
  const t0 = Math.min(...all.map(p => p.t.getTime())), t1 = Math.max(...all.map(p => p.t.getTime()));
  const vmax = Math.max(...all.map(p => p.v)) || 1;
  const x = t => pad.l + (t1 === t0 ? (width - pad.l - pad.r) / 2 : ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r));
  const y = v => pad.t + (1 - v / vmax) * (height - pad.t - pad.b);
  for (const f of [0, 0.5, 1]) {
    const v = vmax * f;
    svg.append(el('svg:line', { x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(el('svg:text', { x: pad.l - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, format(v)));
  }
  svg.append(el('svg:text', { x: pad.l, y: height - 6, class: 'axis' }, clock(t0)));
  svg.append(el('svg:text', { x: width - pad.r, y: height - 6, 'text-anchor': 'end', class: 'axis' }, clock(t1)));
  const legend = el('div', { class: 'legend' });
  series.forEach((s, i) => {
    const pts = s.points.filter(p => Number.isFinite(p.v));
    if (!pts.length) return;
    svg.append(el('svg:polyline', { class: `line c${i}`, points: pts.map(p => `${x(p.t.getTime()).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ') }));
    if (pts.length <= 60) for (const p of pts) svg.append(el('svg:circle', { class: `dot c${i}`, cx: x(p.t.getTime()).toFixed(1), cy: y(p.v).toFixed(1), r: 2.5 }));
    legend.append(el('span', { class: `key c${i}` }, s.name));
  });
  figure.append(legend);
  return figure;
}

function format(v) {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function clock(ms) {
  return new Date(ms).toISOString().slice(11, 19);
}
