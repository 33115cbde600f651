// Shared helpers of the dashboard's pages: DOM building (text only, never HTML from data), API calls with the
// session cookie (changes carry the antiforgery header), polling, confirmation, formatting.
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
const roles = ['viewer', 'operator', 'admin'];
const tokenRole = document.querySelector('meta[name="token-role"]')?.content ?? '';
const tokenEnvironments = document.querySelector('meta[name="token-environments"]')?.content;

/** Whether the signed-in token's role reaches `needed` and its scope (if any) holds `environment`: the pages offer
 * only such actions. The API judges every request again. */
export function may(needed, environment) {
  if (roles.indexOf(tokenRole) < roles.indexOf(needed)) return false;
  if (tokenEnvironments === undefined || environment === undefined) return true;
  return tokenEnvironments.split(',').includes(environment);
}

export function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(path, { method = 'GET', body, signal, raw = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, signal, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    location.assign('/ui/signin?ReturnUrl=' + encodeURIComponent(location.pathname + location.search));
    throw new ApiError(401, { title: 'Signed out' });
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

/** Calls fn now and every ms while the page is visible; errors show in the page's notice bar, never as rejections. */
export function poll(fn, ms) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    timer = null;
    if (stopped) return;
    try {
      const again = await fn();
      notice('');
      if (again === false) { stopped = true; return; }
    } catch (error) {
      if (error?.status !== 401) notice(`Could not refresh: ${error.message}`);
    }
    if (!stopped) timer = setTimeout(tick, document.hidden ? ms * 4 : ms);
  };
  tick();
  return {
    stop() { stopped = true; if (timer) clearTimeout(timer); },
    now() { stopped = false; if (timer) clearTimeout(timer); tick(); },
  };
}

export function notice(text, kind = 'error') {
  let bar = document.getElementById('notice');
  if (!bar) {
    bar = el('div', { id: 'notice', role: 'status' });
    document.querySelector('main').prepend(bar);
  }
  bar.textContent = text;
  bar.className = text ? `notice ${kind}` : 'notice hidden';
}

/** Asks in the page's dialog; resolves true when confirmed. */
export function confirmAction(message) {
  const dialog = document.getElementById('confirm');
  dialog.querySelector('.message').textContent = message;
  return new Promise(resolve => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

/** A button that asks, then calls action; the result or the API's problem is shown in the notice bar. */
export function actionButton(label, question, action, after, kind = 'primary') {
  return el('button', {
    type: 'button', class: kind, 'data-action': label.toLowerCase(),
    onclick: async event => {
      const button = event.currentTarget;
      if (!await confirmAction(question)) return;
      button.disabled = true;
      try {
        await action();
        notice(`${label}: done.`, 'ok');
        after?.();
      } catch (error) {
        notice(`${label} failed: ${error.message}`);
      } finally {
        button.disabled = false;
      }
    },
  }, label);
}

export function badge(status) {
  return el('span', { class: `badge s-${status ?? 'unknown'}` }, status ?? 'unknown');
}

export function link(href, text, attrs = {}) {
  return el('a', { href, ...attrs }, text);
}

export function table(headers, rows, empty = 'Nothing yet.') {
  if (!rows.length) return el('p', { class: 'muted' }, empty);
  return el('div', { class: 'table-wrap' }, el('table', {},
    el('thead', {}, el('tr', {}, headers.map(h => el('th', {}, h)))),
    el('tbody', {}, rows.map(cells => el('tr', {}, cells.map((c, i) => el('td', { 'data-label': headers[i] }, c)))))));
}

export function replace(container, ...children) {
  container.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined));
}

export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return el('time', { datetime: iso, title: date.toISOString() }, relative(date));
}

export function relative(date) {
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  const text = abs < 60 ? `${abs}s` : abs < 3600 ? `${Math.round(abs / 60)}m` : abs < 172800 ? `${Math.round(abs / 3600)}h` : `${Math.round(abs / 86400)}d`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

export function duration(start, end) {
  if (!start) return '';
  const ms = (end ? new Date(end) : new Date()).getTime() - new Date(start).getTime();
  if (ms < 1000) return `${Math.max(0, ms)}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

export function short(id) {
  return String(id ?? '').slice(0, 8);
}

export function isFinal(status) {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}
