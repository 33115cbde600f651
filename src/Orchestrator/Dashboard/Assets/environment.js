// One environment: its state, health plots from the stored samples, a prompt box streaming the model's answer
// through the orchestrator, its runs (versions and revisions) and events.
import { api, badge, duration, el, link, poll, relative, replace, short, table, when } from './ui.js';
import { timeChart } from './charts.js';

const root = document.getElementById('app');
const name = root.dataset.environment;
const path = `/api/environments/${encodeURIComponent(name)}`;

function summary(e) {
  const s = e.state ?? {};
  replace(document.getElementById('summary'), el('dl', { class: 'facts' },
    el('dt', {}, 'Target'), el('dd', {}, e.targetKind),
    el('dt', {}, 'Stable'), el('dd', { id: 'stable' }, s.stableRevision ?? '—'),
    el('dt', {}, 'Canary'), el('dd', { id: 'canary' }, s.canaryRevision ? `${s.canaryRevision} (${s.canaryWeight}% of traffic)` : '—'),
    el('dt', {}, 'Health'), el('dd', {}, badge(e.healthStatus)),
    el('dt', {}, 'Approval'), el('dd', {}, e.approval?.required ? 'required' : 'not required'),
    el('dt', {}, 'TTL'), el('dd', {}, e.teardownAt ? `teardown ${relative(new Date(e.teardownAt))}` : '—'),
    s.lastRollback ? [el('dt', {}, 'Last rollback'), el('dd', {}, `${s.lastRollback.revision ?? ''} ${s.lastRollback.reason ?? ''}`)] : null));
}

/** Percentile of the finite values. */
function percentile(values, q) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return null;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
}

/** Groups consecutive points into about 60 buckets; latency p50/p99 are over the samples (or rollups) of a bucket. */
function buckets(points) {
  const size = Math.max(1, Math.ceil(points.length / 60));
  const out = [];
  for (let i = 0; i < points.length; i += size) {
    const group = points.slice(i, i + size);
    const samples = group.reduce((n, p) => n + (p.samples || 1), 0);
    const failures = group.reduce((n, p) => n + (p.generateFailures ?? 0) + (p.healthcheckFailures ?? 0), 0);
    const mean = key => { const v = group.map(p => p[key]).filter(Number.isFinite); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null; };
    out.push({
      t: new Date(group[group.length - 1].at),
      p50: percentile(group.map(p => p.generateLatencyMs), 0.5),
      p99: percentile(group.map(p => p.generateLatencyMs), 0.99),
      ttft: mean('ttftMs'), tpot: mean('tpotMs'), tps: mean('tokensPerSecond'),
      errorRate: samples ? (100 * failures) / (samples * 2) : null,
    });
  }
  return out;
}

function charts(h) {
  const b = buckets(h.points ?? []);
  const series = (label, key) => ({ name: label, points: b.map(p => ({ t: p.t, v: p[key] })) });
  replace(document.getElementById('health-status'), el('p', {},
    badge(h.status), h.reason ? ` ${h.reason}` : '', ' · ', `${(h.points ?? []).length} points (${h.resolution})`,
    h.lastSampleAt ? el('span', { class: 'muted' }, ' · last sample ', when(h.lastSampleAt)) : '',
    h.watcher ? el('span', { class: 'muted' }, ` · watched by ${h.watcher.runnerName}`) : ''));
  replace(document.getElementById('charts'),
    timeChart('Probe latency', 'ms', [series('p50', 'p50'), series('p99', 'p99')]),
    timeChart('Time to first token', 'ms', [series('TTFT', 'ttft')]),
    timeChart('Time per output token', 'ms', [series('TPOT', 'tpot')]),
    timeChart('Error rate', '%', [series('errors', 'errorRate')]),
    timeChart('Tokens per second', 'tokens/s', [series('tokens/s', 'tps')]));
}

function rollouts(runs) {
  replace(document.getElementById('rollouts'), table(['Version', 'Revision', 'Run', 'Status', 'Trigger', 'Created', 'Duration'],
    runs.map(r => [`v${r.version}`, r.revision, link(`/ui/runs/${r.id}`, short(r.id), { class: 'mono' }), badge(r.status),
      r.trigger?.kind ?? '', when(r.createdAt), duration(r.startedAt, r.finishedAt)]), 'No rollouts yet.'));
}

function events(list) {
  replace(document.getElementById('events'), table(['When', 'Event', 'Run', 'Details'],
    list.slice(0, 20).map(e => [when(e.at), e.kind, e.runId ? link(`/ui/runs/${e.runId}`, short(e.runId), { class: 'mono' }) : '',
      el('code', { class: 'details' }, JSON.stringify(e.details ?? {}).slice(0, 160))]), 'No events.'));
}

poll(async () => {
  const [environment, health, runs, evts] = await Promise.all([
    api(path), api(`${path}/health`), api(`/api/runs?environment=${encodeURIComponent(name)}&limit=20`), api(`${path}/events`),
  ]);
  summary(environment);
  charts(health);
  rollouts(runs);
  events(Array.isArray(evts) ? evts : evts?.events ?? []);
}, 5000);

// The answer streams as JSON objects one after another ({"text": ...}); each complete one is shown as it comes.
function* objects(state) {
  const s = state.buffer;
  for (let i = state.scan; i < s.length; i++) {
    const c = s[i];
    if (state.inString) {
      if (state.escape) state.escape = false;
      else if (c === '\\') state.escape = true;
      else if (c === '"') state.inString = false;
    } else if (c === '"') state.inString = true;
    else if (c === '{') { if (state.depth++ === 0) state.start = i; }
    else if (c === '}' && --state.depth === 0) {
      yield JSON.parse(s.slice(state.start, i + 1));
      state.buffer = s.slice(i + 1);
      state.scan = 0;
      return yield* objects(state);
    }
  }
  state.scan = s.length;
}

// The form is on the page only for a token that may ask (an operator within its environments).
document.getElementById('prompt')?.addEventListener('submit', async event => {
  event.preventDefault();
  const form = event.currentTarget;
  const answer = document.getElementById('answer');
  const button = form.querySelector('button');
  answer.textContent = '';
  answer.dataset.state = 'streaming';
  button.disabled = true;
  try {
    const response = await api(`${path}/generate`, {
      method: 'POST', raw: true,
      body: { prompt: form.elements.prompt.value, max_tokens: Number(form.elements.max_tokens.value) || 32, stream: true },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const state = { buffer: '', scan: 0, depth: 0, inString: false, escape: false, start: 0 };
    let chunks = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      state.buffer += value;
      for (const chunk of objects(state)) {
        answer.append(chunk.text ?? chunk.response ?? '');
        answer.dataset.chunks = String(++chunks);
      }
    }
    answer.dataset.state = 'done';
  } catch (error) {
    answer.textContent = `The model did not answer: ${error.message}`;
    answer.dataset.state = 'failed';
  } finally {
    button.disabled = false;
  }
});
