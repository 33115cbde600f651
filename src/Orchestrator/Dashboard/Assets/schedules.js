import { badge, el, link, when } from './ui.js';
import { list } from './lists.js';

list('/api/schedules', ['Schedule', 'Environment', 'Cron', 'Action', 'State', 'Next fire', 'Created by'], s => [
  el('span', { class: 'mono', title: s.id }, s.description ?? String(s.id).slice(0, 8)),
  link(`/ui/environments/${encodeURIComponent(s.environment)}`, s.environment),
  el('code', {}, `${s.cron} (${s.timeZone})`),
  s.action,
  badge(s.paused ? 'paused' : 'active'),
  s.nextFireTimes?.length ? when(s.nextFireTimes[0]) : '—',
  s.createdBy ?? '',
], 'No schedules.');
