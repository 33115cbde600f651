// Runs with filters (environment, status, trigger); the filters live in the address, the list refreshes every 2 s.
import { api, badge, duration, el, link, poll, replace, short, table, when } from './ui.js';

const app = document.getElementById('app');
const form = document.getElementById('filters');
const params = new URLSearchParams(location.search);
for (const name of ['environment', 'status', 'trigger']) {
  if (params.get(name)) form.elements[name].value = params.get(name);
}

async function environments() {
  const select = form.elements.environment;
  const wanted = params.get('environment') ?? '';
  for (const e of await api('/api/environments')) select.append(el('option', {}, e.name));
  if (wanted && ![...select.options].some(o => o.value === wanted)) select.append(el('option', {}, wanted));
  select.value = wanted;
}

const lister = poll(async () => {
  const f = Object.fromEntries(new FormData(form));
  const query = new URLSearchParams({ limit: '200' });
  if (f.environment) query.set('environment', f.environment);
  if (f.status) query.set('status', f.status);
  let runs = await api(`/api/runs?${query}`);
  // The API filters by environment and status; the trigger is filtered here.
  if (f.trigger) runs = runs.filter(r => r.trigger?.kind === f.trigger);
  replace(app, table(['Run', 'Environment', 'Version', 'Status', 'Trigger', 'Created', 'Duration'],
    runs.map(r => [
      link(`/ui/runs/${r.id}`, short(r.id), { class: 'mono' }),
      link(`/ui/environments/${encodeURIComponent(r.environment)}`, r.environment),
      `v${r.version} · ${r.revision}`,
      el('span', {}, badge(r.status), r.rollingBack ? el('span', { class: 'muted' }, ' rolling back') : null),
      r.trigger?.actor ? `${r.trigger.kind} (${r.trigger.actor})` : r.trigger?.kind ?? '',
      when(r.createdAt),
      duration(r.startedAt, r.finishedAt),
    ]), 'No runs match.'));
}, 2000);

form.addEventListener('change', () => {
  const f = new FormData(form);
  const query = new URLSearchParams([...f].filter(([, v]) => v));
  history.replaceState(null, '', query.size ? `?${query}` : location.pathname);
  lister.now();
});

environments().catch(() => { /* the list still works without the choices */ });
