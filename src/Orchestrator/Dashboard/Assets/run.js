// One run: its summary, the actions it allows, its step graph and table (refreshed every second while it runs) and
// its log (read whole once, then followed through the API's SSE stream).
import { actionButton, api, badge, duration, el, isFinal, link, may, poll, replace, short, table, when } from './ui.js';
import { drawGraph } from './graph.js';
import { LogView } from './logview.js';

const root = document.getElementById('app');
const runId = root.dataset.run;
const started = performance.now();
document.getElementById('run-id').textContent = short(runId);
let lastSteps = '';
let lastActions = '';
let selectedStep = '';

const log = new LogView(document.getElementById('log'), {
  onCount: view => {
    document.getElementById('log-count').textContent = view.view ? `${view.shown} of ${view.count} lines` : `${view.count} lines`;
    root.dataset.logLines = String(view.count);
  },
});
const search = document.getElementById('log-search');
search.addEventListener('input', () => log.setFilter(search.value, selectedStep));
document.getElementById('log-follow').addEventListener('change', e => {
  log.follow = e.target.checked;
  if (log.follow) log.layout();
});

function select(step) {
  selectedStep = selectedStep === step ? '' : step;
  log.setFilter(search.value, selectedStep);
  for (const node of document.querySelectorAll('.node')) node.classList.toggle('selected', node.dataset.step === selectedStep);
}

function actions(run) {
  const steps = run.steps ?? [];
  const env = encodeURIComponent(run.environment);
  const refresh = () => runPoll.now();
  const buttons = [];
  // Every action here is an operator's, within the token's environments.
  const waiting = steps.filter(s => s.status === 'waiting');
  if (waiting.some(s => s.kind === 'approval')) {
    buttons.push(actionButton('Approve', `Approve run ${short(run.id)} of ${run.environment}?`, () => api(`/api/runs/${run.id}/approve`, { method: 'POST' }), refresh));
  }
  if (waiting.some(s => s.kind !== 'approval')) {
    buttons.push(actionButton('Promote', `Promote the paused canary ${run.revision} of ${run.environment}?`, () => api(`/api/environments/${env}/promote`, { method: 'POST' }), refresh));
  }
  if (run.status === 'running' && steps.some(s => s.kind === 'revision.rollback') && !run.rollingBack) {
    buttons.push(actionButton('Abort', `Abort the canary of ${run.environment} and roll back to stable?`, () => api(`/api/environments/${env}/abort`, { method: 'POST' }), refresh, 'danger'));
  }
  if (!isFinal(run.status)) {
    buttons.push(actionButton('Cancel', `Cancel run ${short(run.id)}?`, () => api(`/api/runs/${run.id}/cancel`, { method: 'POST' }), refresh, 'danger'));
  }
  if (run.status === 'failed' || run.status === 'cancelled') {
    buttons.push(actionButton('Retry', `Retry run ${short(run.id)} from its failed steps?`, () => api(`/api/runs/${run.id}/retry`, { method: 'POST' }), refresh));
  }
  if (!may('operator', run.environment)) buttons.length = 0;
  // Re-rendered only when the choice changes: a button replaced under the pointer would lose its click.
  const key = buttons.map(b => b.dataset.action).join();
  if (key === lastActions) return;
  lastActions = key;
  replace(document.getElementById('actions'), buttons);
}

function summary(run) {
  replace(document.getElementById('summary'), el('dl', { class: 'facts' },
    el('dt', {}, 'Status'), el('dd', { id: 'run-status', 'data-status': run.status }, badge(run.status), run.rollingBack ? ' rolling back' : ''),
    el('dt', {}, 'Environment'), el('dd', {}, link(`/ui/environments/${encodeURIComponent(run.environment)}`, run.environment)),
    el('dt', {}, 'Version'), el('dd', {}, `v${run.version} · ${run.revision}`),
    el('dt', {}, 'Trigger'), el('dd', {}, run.trigger?.actor ? `${run.trigger.kind} (${run.trigger.actor})` : run.trigger?.kind ?? ''),
    el('dt', {}, 'Created'), el('dd', {}, when(run.createdAt)),
    el('dt', {}, 'Duration'), el('dd', {}, duration(run.startedAt, run.finishedAt)),
    run.waitingFor ? [el('dt', {}, 'Waiting for'), el('dd', {}, run.waitingFor)] : null,
    run.error ? [el('dt', {}, 'Error'), el('dd', { class: 'error' }, run.error)] : null));
}

function progressCell(p) {
  if (!p || !Number.isFinite(p.done)) return '';
  const fraction = p.total ? Math.min(1, p.done / p.total) : null;
  const bar = el('progress', { max: p.total ?? '', value: p.total ? p.done : null, title: p.message ?? '' });
  const text = p.total ? `${p.done} / ${p.total} ${p.unit ?? ''}` : `${p.done} ${p.unit ?? ''}`;
  return el('span', { class: 'progress-cell', 'data-fraction': fraction ?? '' }, bar, ' ', text, p.message ? el('span', { class: 'muted' }, ` ${p.message}`) : '');
}

function steps(run) {
  const list = run.steps ?? [];
  const key = JSON.stringify(list.map(s => [s.status, s.attempt, s.finishedAt, s.progress]));
  if (key === lastSteps) return;
  lastSteps = key;
  replace(document.getElementById('graph'), drawGraph(list, select));
  replace(document.getElementById('steps'), table(['Step', 'Kind', 'State', 'Attempts', 'Duration', 'Progress'],
    list.map(s => [
      el('button', { type: 'button', class: 'link', onclick: () => select(s.name) }, s.name),
      s.kind,
      el('span', { title: s.error ?? '' }, badge(s.status), s.decidedBy ? el('span', { class: 'muted' }, ` by ${s.decidedBy}`) : ''),
      `${s.attempt} / ${s.maxAttempts}`,
      duration(s.startedAt, s.finishedAt),
      progressCell(s.progress),
    ])));
  for (const node of document.querySelectorAll('.node')) node.classList.toggle('selected', node.dataset.step === selectedStep);
}

const runPoll = poll(async () => {
  const run = await api(`/api/runs/${runId}`);
  document.title = `Run ${short(run.id)} · ${run.status} · orchestrator`;
  summary(run);
  actions(run);
  steps(run);
  root.dataset.status = run.status;
  if (!root.dataset.graphAt) {
    root.dataset.graphAt = String(Math.round(performance.now() - started));
    performance.mark('dashboard:graph');
  }
  // A final run changes only through an action here, whose refresh starts the polling again.
  return isFinal(run.status) ? false : undefined;
}, 1000);

async function follow() {
  const snapshot = await api(`/ui/data/runs/${runId}/log`);
  log.push(snapshot.lines);
  log.flush();
  root.dataset.logLoadedAt = String(Math.round(performance.now() - started));
  performance.mark('dashboard:log');
  const source = new EventSource(`/api/runs/${runId}/logs?follow=true&after=${log.lastId}`);
  source.onmessage = event => {
    const line = JSON.parse(event.data);
    log.push([[line.id, line.stepName, line.at, line.text]]);
  };
  source.addEventListener('end', () => {
    source.close();
    root.dataset.logEnded = 'true';
  });
}

follow().catch(error => {
  document.getElementById('log-count').textContent = `The log could not be read: ${error.message}`;
});
