// A virtualized log: every line is kept in arrays, only the rows in view (plus a margin) are in the DOM. Lines that
// arrive are queued and appended once per animation frame, so a fast stream costs one layout per frame, not per line.
import { el } from './ui.js';

const ROW = 18, MARGIN = 20;

export class LogView {
  constructor(container, { onCount } = {}) {
    this.container = container;
    this.ids = [];
    this.steps = [];
    this.texts = [];
    this.lower = [];
    this.view = null;      // indices matching the search, or null for all
    this.query = '';
    this.step = '';
    this.pending = [];
    this.follow = true;
    this.onCount = onCount;
    this.frame = 0;
    this.spacer = el('div', { class: 'log-spacer' });
    this.rows = el('div', { class: 'log-rows' });
    container.append(this.spacer, this.rows);
    container.addEventListener('scroll', () => {
      this.follow = this.atBottom();
      this.render();
    }, { passive: true });
    new ResizeObserver(() => this.render()).observe(container);
  }

  get count() { return this.ids.length; }
  get lastId() { return this.ids.length ? this.ids[this.ids.length - 1] : 0; }

  /** Queues lines given as [id, step, at, text]; duplicates (a reconnect's overlap) are dropped when flushed. */
  push(lines) {
    for (const line of lines) this.pending.push(line);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.frame = 0;
    const batch = this.pending;
    this.pending = [];
    let last = this.lastId;
    for (const [id, step, , text] of batch) {
      if (id <= last) continue;
      last = id;
      const i = this.ids.length;
      this.ids.push(id);
      this.steps.push(step);
      this.texts.push(text);
      this.lower.push(null);
      if (this.view && this.matches(i)) this.view.push(i);
    }
    this.layout();
    this.onCount?.(this);
  }

  setFilter(query, step) {
    this.query = (query ?? '').toLowerCase();
    this.step = step ?? '';
    if (!this.query && !this.step) this.view = null;
    else {
      this.view = [];
      for (let i = 0; i < this.ids.length; i++) if (this.matches(i)) this.view.push(i);
    }
    this.layout();
    this.onCount?.(this);
  }

  matches(i) {
    if (this.step && this.steps[i] !== this.step) return false;
    if (!this.query) return true;
    const text = this.lower[i] ?? (this.lower[i] = this.texts[i].toLowerCase());
    return text.includes(this.query);
  }

  get shown() { return this.view ? this.view.length : this.ids.length; }

  atBottom() {
    const c = this.container;
    return c.scrollHeight - c.scrollTop - c.clientHeight < ROW * 2;
  }

  layout() {
    this.spacer.style.height = `${this.shown * ROW}px`;
    if (this.follow) this.container.scrollTop = this.container.scrollHeight;
    this.render();
  }

  render() {
    const c = this.container;
    const first = Math.max(0, Math.floor(c.scrollTop / ROW) - MARGIN);
    const last = Math.min(this.shown, Math.ceil((c.scrollTop + c.clientHeight) / ROW) + MARGIN);
    this.rows.style.transform = `translateY(${first * ROW}px)`;
    const fragment = document.createDocumentFragment();
    for (let k = first; k < last; k++) {
      const i = this.view ? this.view[k] : k;
      fragment.append(el('div', { class: 'log-line', 'data-id': this.ids[i] },
        el('span', { class: 'log-step' }, this.steps[i]), this.texts[i]));
    }
    this.rows.replaceChildren(fragment);
  }
}
