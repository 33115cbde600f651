// Environments: target, stable and canary revisions, traffic split, health with a sparkline of probe latency, TTL.
import { api, badge, el, link, poll, relative, replace, table } from './ui.js';
import { sparkline } from './charts.js';

const app = document.getElementById('app');
const healthCache = new Map();

async function health(name) {
  try {
    const h = await api(`/api/environments/${encodeURIComponent(name)}/health`);
    healthCache.set(name, h);
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  return healthCache.get(name);
}

function weights(state) {
  const canary = state?.canaryRevision ? state.canaryWeight ?? 0 : 0;
  const bar = el('span', { class: 'split', title: `stable ${100 - canary}% / canary ${canary}%` },
    el('span', { class: 'stable-part', 'data-weight': 100 - canary }), el('span', { class: 'canary-part', 'data-weight': canary }));
  queueMicrotask(() => {
    bar.children[0].style.flexGrow = String(100 - canary);
    bar.children[1].style.flexGrow = String(canary);
  });
  return el('span', { class: 'weights' }, bar, ` ${100 - canary} / ${canary}`);
}

async function refresh() {
  const environments = await api('/api/environments');
  const healths = await Promise.all(environments.map(e => health(e.name)));
  replace(app, table(['Environment', 'Target', 'Stable', 'Canary', 'Weights', 'Health', 'TTL'],
    environments.map((e, i) => {
      const points = healths[i]?.points ?? [];
      return [
        link(`/ui/environments/${encodeURIComponent(e.name)}`, e.name),
        e.targetKind,
        e.state?.stableRevision ?? '—',
        e.state?.canaryRevision ?? '—',
        weights(e.state),
        el('span', { class: 'health' }, badge(e.healthStatus), ' ',
          sparkline(points.map(p => p.generateLatencyMs), { label: `${e.name} probe latency` })),
        e.teardownAt ? el('time', { datetime: e.teardownAt, title: e.teardownAt }, `teardown ${relative(new Date(e.teardownAt))}`) : '—',
      ];
    }), 'No environments yet: apply a rollout (orchestrator apply -f rollout.yaml).'));
}

poll(refresh, 5000);
