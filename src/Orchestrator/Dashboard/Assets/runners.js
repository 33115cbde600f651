import { badge, el, when } from './ui.js';
import { list } from './lists.js';

list('/api/runners', ['Runner', 'Labels', 'Status', 'Last seen', 'Current step'], r => [
  el('span', { title: r.id }, r.name),
  r.labels.join(', '),
  badge(r.status),
  when(r.lastSeenAt),
  r.currentStepId ? el('span', { class: 'mono' }, String(r.currentStepId).slice(0, 8)) : '—',
], 'No runners registered.');
