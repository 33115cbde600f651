import { badge, el, link, short, when } from './ui.js';
import { list } from './lists.js';

list('/api/webhooks/deliveries', ['Delivery', 'Event', 'Repository', 'Tag', 'Received', 'Outcome', 'Run'], d => [
  el('span', { class: 'mono', title: d.deliveryId }, short(d.deliveryId)),
  d.action ? `${d.event}.${d.action}` : d.event,
  d.repository ?? '',
  d.tag ? `${d.tag}${d.prerelease ? ' (pre-release)' : ''}` : '',
  when(d.receivedAt),
  el('span', { title: d.detail ?? '' }, badge(d.outcome ?? 'pending'), d.attempts > 1 ? ` ×${d.attempts}` : ''),
  d.runId ? link(`/ui/runs/${d.runId}`, short(d.runId), { class: 'mono' }) : '',
], 'No deliveries received.');
