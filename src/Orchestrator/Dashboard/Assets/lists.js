// Read-only lists refreshed in place: schedules, webhook deliveries, runners.
import { api, poll, replace, table } from './ui.js';

export function list(path, headers, row, empty, ms = 5000) {
  const app = document.getElementById('app');
  poll(async () => replace(app, table(headers, (await api(path)).map(row), empty)), ms);
}
