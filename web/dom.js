// DOM building and formatting shared by every page. Every text goes in as a
// text node (never innerHTML), so a payload or an error holding markup shows
// as the characters it is.

// h('button', {class: 'x', onclick: fn, 'aria-label': '...'}, 'text', child, [more])
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.setAttribute('class', value);
    else if (name === 'value' && 'value' in el) el.value = value;
    else if (name === 'checked' || name === 'selected' || name === 'disabled') el[name] = !!value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
export function relativeTime(iso, now = Date.now()) {
  if (!iso) return '—';
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 5) return 'just now';
  if (abs < 60) return RELATIVE.format(s, 'second');
  if (abs < 3600) return RELATIVE.format(Math.round(s / 60), 'minute');
  if (abs < 86400) return RELATIVE.format(Math.round(s / 3600), 'hour');
  return RELATIVE.format(Math.round(s / 86400), 'day');
}

export function exactTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) + ' (' + iso + ')';
}

// <time> showing the relative time, the exact one on hover and to screen readers.
export function timeEl(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: iso, title: exactTime(iso) }, relativeTime(iso));
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

export function age(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86400)} d`;
}

export const number = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en'));

export const JOB_STATUSES = ['queued', 'running', 'success', 'failed', 'conflict', 'skipped', 'cancelled'];

// The status of a job as a coloured pill, with its attempts when there was more than one.
export function statusPill(job) {
  const pill = h('span', { class: `pill status-${job.status}` }, job.status);
  if (job.attempts > 1) {
    return h('span', { class: 'pill-group' }, pill,
      h('span', { class: 'attempts', title: `${job.attempts} of ${job.max_attempts} attempts` }, `×${job.attempts}`));
  }
  return pill;
}

export function pretty(value) {
  return h('pre', { class: 'code' }, value === undefined ? '' : JSON.stringify(value, null, 2));
}

// Loading and error states, the same on every page.
export const loading = (what = 'Loading…') => h('p', { class: 'loading', role: 'status' }, what);
export function errorBox(error, retry) {
  return h('div', { class: 'error-box', role: 'alert' },
    h('strong', {}, 'Something went wrong: '), error?.message || String(error),
    retry ? h('button', { type: 'button', class: 'btn small', onclick: retry }, 'Try again') : null);
}

// A short message at the bottom of the screen (announced to screen readers).
export function toast(message, kind = 'info') {
  // Inside an open modal dialog, or the backdrop would hide it.
  const host = [...document.querySelectorAll('dialog[open]')].pop() || document.body;
  let box = [...host.children].find((c) => c.classList.contains('toasts'));
  if (!box) {
    box = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    host.append(box);
  }
  const item = h('div', { class: `toast ${kind}` }, message);
  box.append(item);
  setTimeout(() => item.remove(), 5000);
}

// A modal confirmation with real buttons; resolves true when confirmed.
export function confirmDialog(message, confirmLabel = 'Confirm') {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-label': 'Confirm' });
    const done = (answer) => { dialog.close(); dialog.remove(); resolve(answer); };
    dialog.append(h('p', {}, message), h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => done(false) }, 'Cancel'),
      h('button', { type: 'button', class: 'btn danger', onclick: () => done(true) }, confirmLabel)));
    dialog.addEventListener('cancel', () => done(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}
