// /admin/sync/jobs: the audit log. Every filter lives in the URL (service,
// action, actor, trigger, status, q, window, since, until; job opens a
// detail), so a view can be shared and survives a reload.
import { api, get, withQuery } from '../api.js';
import { h, clear, timeEl, duration, statusPill, number, loading, errorBox, toast, confirmDialog, debounce, JOB_STATUSES } from '../dom.js';
import { openJobDetail, actorLabel } from './job_detail.js';

const WINDOWS = [['today', 'Today'], ['7d', '7 days'], ['30d', '30 days'], ['custom', 'Custom']];
const TRIGGERS = ['manual', 'api', 'scheduled', 'retry', 'event'];
const FILTERS = ['status', 'service', 'action', 'actor', 'trigger', 'q'];
const GENERIC_LABELS = { sync: 'Sync', create: 'Create', update: 'Update', delete: 'Delete', noop: 'No-op' };

function startOfToday() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

// datetime-local <-> ISO, in the browser's time zone.
const toLocalInput = (iso) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
};
const fromLocalInput = (value) => (value ? new Date(value).toISOString() : '');

export async function mount(root, ctx) {
  const state = Object.fromEntries(FILTERS.map((f) => [f, ctx.query.get(f) || '']));
  state.window = ctx.query.get('window') || '7d';
  state.since = ctx.query.get('since') || '';
  state.until = ctx.query.get('until') || '';
  let cursors = [''];  // the cursor of each page seen; the last is the current page's
  let jobs = [];
  let nextCursor = null;
  let counts = null;
  let countsExact = true;  // false: the finished statuses' counts are lower bounds (docs/API.md)
  const selected = new Set();
  const canManage = ctx.can('sync.job.manage');

  // Human action labels and the choices of the service and action filters come from the config.
  const labels = new Map();
  const services = new Set();
  const actions = new Set(['sync', 'create', 'update', 'delete']);
  try {
    const config = await get('/api/v1/services');
    for (const s of config.services) {
      services.add(s.name);
      for (const r of s.resources) {
        for (const a of r.actions) { labels.set(`${s.name}/${r.name}/${a.name}`, a.label); actions.add(a.name); }
      }
    }
  } catch { /* labels are a nicety; the raw action still shows */ }
  const actionLabel = (job) => labels.get(`${job.service}/${job.target_type}/${job.action}`) || GENERIC_LABELS[job.action] || job.action;

  const apiQuery = (extra = {}) => {
    const q = { service: state.service, action: state.action, actor: state.actor, trigger: state.trigger, q: state.q, ...extra };
    if (state.window === 'today') q.since = startOfToday();
    else if (state.window === 'custom') { q.since = state.since; q.until = state.until; } else q.since = state.window;
    return q;
  };

  const syncUrl = () => {
    const params = { ...Object.fromEntries(FILTERS.map((f) => [f, state[f]])) };
    if (state.window !== '7d') params.window = state.window;
    if (state.window === 'custom') { params.since = state.since; params.until = state.until; }
    history.replaceState(null, '', withQuery(location.pathname, params));
  };

  // --- layout -------------------------------------------------------------
  const windowButtons = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time window' });
  const customRange = h('div', { class: 'custom-range' });
  const cards = h('div', { class: 'status-cards', role: 'group', 'aria-label': 'Filter by status' });
  const chips = h('div', { class: 'chips', 'aria-label': 'Active filters' });
  const bulkBar = h('div', { class: 'bulk-bar', hidden: true });
  const tableArea = h('div', { class: 'table-area' }, loading('Loading jobs…'));
  const pager = h('div', { class: 'pager' });

  const select = (name, label, options) => {
    const el = h('select', { id: `filter-${name}`, name, 'aria-label': label },
      h('option', { value: '' }, `Any ${label.toLowerCase()}`),
      options.map(([value, text]) => h('option', { value, selected: state[name] === value }, text)));
    // A value from the URL that is not among the choices still shows.
    if (state[name] && !options.some(([v]) => v === state[name])) el.append(h('option', { value: state[name], selected: true }, state[name]));
    el.addEventListener('change', () => setFilter(name, el.value));
    return h('label', { class: 'filter' }, h('span', {}, label), el);
  };
  // The user filter offers whoever has jobs in the window and services shown
  // (GET /api/v1/jobs/actors), system first; a chosen one that has none stays.
  function actorChoices(actors) {
    const choices = [['system', 'system / scheduler']];
    for (const a of actors) {
      if (a.type === 'system') continue;
      const me = a.type === 'user' && a.name === ctx.me.user.name;
      choices.push([a.name, a.name + (me ? ' (me)' : a.type === 'token' ? ' (API token)' : '')]);
    }
    return choices;
  }
  let actorKey = '';
  let actorSeq = 0;
  async function loadActors() {
    const q = apiQuery();
    const seq = ++actorSeq;
    try {
      const data = await get(withQuery('/api/v1/jobs/actors', { service: q.service, since: q.since, until: q.until }));
      if (seq !== actorSeq) return;
      const choices = actorChoices(data.actors);
      const key = JSON.stringify(choices);
      const el = document.getElementById('filter-actor');
      if (!el || key === actorKey) return;
      actorKey = key;
      const chosen = state.actor;
      clear(el, h('option', { value: '' }, 'Any user'), choices.map(([value, text]) => h('option', { value }, text)));
      if (chosen && !choices.some(([v]) => v === chosen)) el.append(h('option', { value: chosen }, chosen));
      el.value = chosen;
    } catch { /* the choices stay as they were; the filter still works */ }
  }
  const search = h('input', { type: 'search', id: 'filter-q', placeholder: 'Search target, action, error', value: state.q, 'aria-label': 'Search jobs' });
  search.addEventListener('input', debounce(() => setFilter('q', search.value.trim()), 300));
  const filterBar = h('div', { class: 'filters' },
    select('service', 'Service', [...services].sort().map((s) => [s, s])),
    select('action', 'Action', [...actions].sort().map((a) => [a, a])),
    select('actor', 'User', actorChoices([])),
    select('trigger', 'Trigger', TRIGGERS.map((t) => [t, t])),
    h('label', { class: 'filter grow' }, h('span', {}, 'Search'), search));

  clear(root,
    h('div', { class: 'page-head' }, h('h1', {}, 'Sync jobs'), h('div', { class: 'window' }, windowButtons, customRange)),
    cards, filterBar, chips, bulkBar, tableArea, pager);

  function setFilter(name, value) {
    state[name] = value;
    if (name === 'q' && search.value.trim() !== value) search.value = value;
    const el = document.getElementById(`filter-${name}`);
    if (el && name !== 'q') el.value = value;
    cursors = [''];
    selected.clear();
    syncUrl();
    load();
  }

  const windowChoices = WINDOWS.map(([key, label]) => h('button', {
    type: 'button', class: 'seg', 'data-window': key,
    onclick: () => {
      state.window = key;
      if (key === 'custom' && !state.since) state.since = new Date(Date.now() - 86400000).toISOString();
      setFilter('window', key);
    },
  }, label));
  windowButtons.append(...windowChoices);
  function renderWindow() {
    for (const b of windowChoices) b.setAttribute('aria-pressed', String(b.dataset.window === state.window));
    customRange.hidden = state.window !== 'custom';
    // The date inputs are made once, not at every reload (they may have the focus).
    if (customRange.hidden || customRange.childElementCount) return;
    const from = h('input', { type: 'datetime-local', id: 'since', value: toLocalInput(state.since) });
    const to = h('input', { type: 'datetime-local', id: 'until', value: toLocalInput(state.until) });
    from.addEventListener('change', () => { state.since = fromLocalInput(from.value); setFilter('window', 'custom'); });
    to.addEventListener('change', () => { state.until = fromLocalInput(to.value); setFilter('window', 'custom'); });
    clear(customRange, h('label', { for: 'since' }, 'From'), from, h('label', { for: 'until' }, 'To'), to);
  }

  // Built once and updated in place, so a card keeps the keyboard focus while the list reloads.
  const activeStatuses = () => state.status.split(',').filter(Boolean);
  const cardButtons = JOB_STATUSES.map((s) => h('button', {
    type: 'button', class: `card status-card status-${s}`, 'data-status': s,
    onclick: () => { const active = activeStatuses(); setFilter('status', active.length === 1 && active[0] === s ? '' : s); },
  }, h('span', { class: 'count' }, '…'), h('span', { class: 'label' }, s)));
  cards.append(...cardButtons);
  function renderCards() {
    const active = activeStatuses();
    cardButtons.forEach((button, i) => {
      const s = JOB_STATUSES[i];
      button.setAttribute('aria-pressed', String(active.includes(s)));
      const atLeast = counts && !countsExact && s !== 'queued' && s !== 'running';
      button.querySelector('.count').textContent = counts ? number(counts[s]) + (atLeast ? '+' : '') : '…';
      if (atLeast) button.title = `at least ${number(counts[s])}: only part of the matching jobs were counted`;
      else button.removeAttribute('title');
    });
  }

  function renderChips() {
    const items = [];
    for (const f of FILTERS) {
      if (!state[f]) continue;
      const text = f === 'actor' && state[f] === 'system' ? 'system / scheduler' : state[f];
      items.push(h('button', { type: 'button', class: 'chip', 'aria-label': `Remove filter ${f}: ${text}`, onclick: () => setFilter(f, '') },
        `${f}: ${text}`, h('span', { 'aria-hidden': 'true' }, ' ×')));
    }
    if (items.length > 1) items.push(h('button', { type: 'button', class: 'btn link', onclick: clearFilters }, 'Clear all'));
    clear(chips, items);
    chips.hidden = items.length === 0;
  }

  function clearFilters() {
    for (const f of FILTERS) state[f] = '';
    search.value = '';
    for (const f of FILTERS) { const el = document.getElementById(`filter-${f}`); if (el) el.value = ''; }
    setFilter('q', '');
  }

  function renderBulk() {
    bulkBar.hidden = !canManage || selected.size === 0;
    if (bulkBar.hidden) return;
    const bulk = async (action) => {
      const ids = [...selected];
      if (action === 'delete' && !(await confirmDialog(`Delete ${ids.length} job(s)? This cannot be undone.`, 'Delete'))) return;
      try {
        const out = await api('POST', '/api/v1/jobs/bulk', { action, ids });
        const ok = out.results.filter((r) => r.ok).length;
        toast(`${action}: ${ok} of ${ids.length} done` + (ok < ids.length ? ' (the others were in a state that does not allow it)' : ''), ok < ids.length ? 'error' : 'info');
      } catch (e) {
        toast(`Bulk ${action} failed: ${e.message}`, 'error');
      }
      selected.clear();
      load();
    };
    clear(bulkBar, h('span', {}, `${selected.size} selected`),
      h('button', { type: 'button', class: 'btn small primary', onclick: () => bulk('retry') }, 'Retry selected'),
      h('button', { type: 'button', class: 'btn small danger', onclick: () => bulk('delete') }, 'Delete selected'),
      h('button', { type: 'button', class: 'btn small link', onclick: () => { selected.clear(); renderTable(); renderBulk(); } }, 'Clear selection'));
  }

  function open(job) {
    const url = new URL(location.href);
    url.searchParams.set('job', job.id);
    history.replaceState(null, '', url);
    openJobDetail(job.id, ctx, {
      onChange: () => load(),
      onClose: () => { const u = new URL(location.href); u.searchParams.delete('job'); history.replaceState(null, '', u); },
    });
  }

  function row(job) {
    const check = canManage ? h('td', { class: 'check' }, h('input', {
      type: 'checkbox', 'aria-label': `Select job ${job.id}`, checked: selected.has(job.id),
      onclick: (e) => e.stopPropagation(),
      onchange: (e) => { if (e.target.checked) selected.add(job.id); else selected.delete(job.id); renderBulk(); },
    })) : null;
    const tr = h('tr', { 'data-job-id': job.id, class: 'clickable', onclick: () => open(job) },
      check,
      h('td', {}, h('button', { type: 'button', class: 'btn link id', 'aria-label': `Open job ${job.id}`, onclick: (e) => { e.stopPropagation(); open(job); } }, `#${job.id}`)),
      h('td', { 'data-label': 'Service / instance' }, job.service, h('div', { class: 'sub' }, job.instance)),
      h('td', { 'data-label': 'Action' }, actionLabel(job), h('div', { class: 'sub mono' }, job.action)),
      h('td', { class: 'target', 'data-label': 'Target' }, job.target_id || '—', job.target_type ? h('div', { class: 'sub' }, job.target_type) : null),
      h('td', { 'data-label': 'User' }, actorLabel(job.actor)),
      h('td', { class: 'status', 'data-label': 'Status' }, statusPill(job), job.error ? h('div', { class: 'sub error-text clip', title: job.error }, job.error) : null),
      h('td', { class: 'num', 'data-label': 'Duration' }, duration(job.duration_ms)),
      h('td', { 'data-label': 'Created' }, timeEl(job.created_at)),
      h('td', { 'data-label': 'Trigger' }, job.trigger_source));
    return tr;
  }

  function anyFilter() { return FILTERS.some((f) => state[f]); }

  function renderTable() {
    if (!jobs.length) {
      const filtered = anyFilter();
      clear(tableArea, h('div', { class: 'empty', 'data-empty': filtered ? 'filtered' : 'window' },
        h('p', { class: 'empty-title' }, filtered ? 'No jobs match these filters' : 'No jobs yet in this window'),
        h('p', { class: 'muted' }, filtered ? 'Other jobs exist in this window; remove a filter to see them.' : 'Jobs appear here as they are dispatched; try a longer window.'),
        filtered ? h('button', { type: 'button', class: 'btn', onclick: clearFilters }, 'Clear filters') : null));
      return;
    }
    const allBox = canManage ? h('input', {
      type: 'checkbox', 'aria-label': 'Select all jobs on this page', checked: jobs.every((j) => selected.has(j.id)),
      onchange: (e) => { for (const j of jobs) { if (e.target.checked) selected.add(j.id); else selected.delete(j.id); } renderTable(); renderBulk(); },
    }) : null;
    const th = (text, cls) => h('th', { scope: 'col', class: cls }, text);
    clear(tableArea, h('div', { class: 'table-wrap' }, h('table', { class: 'data jobs' },
      h('caption', { class: 'sr-only' }, 'Sync jobs, newest first'),
      h('thead', {}, h('tr', {}, canManage ? h('th', { class: 'check' }, allBox) : null, th('Job'), th('Service / instance'), th('Action'),
        th('Target'), th('User'), th('Status'), th('Duration', 'num'), th('Created'), th('Trigger'))),
      h('tbody', {}, jobs.map(row)))));
  }

  function renderPager() {
    const page = cursors.length;
    clear(pager,
      h('button', { type: 'button', class: 'btn small', disabled: page === 1, onclick: () => { cursors = ['']; load(); } }, 'Newest'),
      h('button', { type: 'button', class: 'btn small', disabled: page === 1, onclick: () => { cursors.pop(); load(); } }, '‹ Newer'),
      h('span', { class: 'muted' }, `Page ${page}`),
      h('button', { type: 'button', class: 'btn small', disabled: !nextCursor, onclick: () => { cursors.push(nextCursor); load(); } }, 'Older ›'));
  }

  let loadSeq = 0;
  async function load({ quiet = false } = {}) {
    const seq = ++loadSeq;
    renderWindow();
    renderChips();
    renderCards();
    if (!quiet) tableArea.setAttribute('aria-busy', 'true');
    loadActors();
    try {
      const data = await get(withQuery('/api/v1/jobs', { ...apiQuery({ status: state.status }), limit: 50, cursor: cursors[cursors.length - 1] }));
      if (seq !== loadSeq) return;
      jobs = data.jobs;
      nextCursor = data.next_cursor;
      counts = data.status_counts;
      countsExact = data.status_counts_exact !== false;
      for (const id of [...selected]) if (!jobs.some((j) => j.id === id)) selected.delete(id);
      renderCards();
      renderTable();
      renderPager();
      renderBulk();
    } catch (e) {
      if (seq === loadSeq) clear(tableArea, errorBox(e, () => load()));
    } finally {
      tableArea.removeAttribute('aria-busy');
    }
  }

  // Live: a changed job on screen is updated at once; rows and counts reload shortly after.
  const refresh = debounce(() => load({ quiet: true }), 700);
  const unsubscribe = ctx.live.subscribe((change) => {
    if (change) {
      const i = jobs.findIndex((j) => j.id === change.id);
      if (i >= 0 && change.change !== 'deleted') {
        jobs[i] = { ...jobs[i], ...change };
        const old = tableArea.querySelector(`tr[data-job-id="${change.id}"]`);
        old?.replaceWith(row(jobs[i]));
      }
    }
    refresh();
  });

  await load();
  const wanted = Number(ctx.query.get('job'));
  if (wanted > 0) open({ id: wanted });
  return () => { unsubscribe(); refresh.cancel(); };
}
