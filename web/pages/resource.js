// /admin/sync/services/{service}/{resource} (GET /api/v1/services/{s}/{r}):
// the snapshot's rows with their declared fields as columns, search, filters,
// sort and pagination (all in the URL), the sync status pill of each row, and
// a row's detail: the full remote document, an edit form, the jobs that touched it.
import { api, get, withQuery } from '../api.js';
import { h, clear, timeEl, pretty, statusPill, number, loading, errorBox, toast, debounce } from '../dom.js';
import { ROW_STATUSES, rowStatusLabel, rowPill } from './row_status.js';
import { syncNow } from './services.js';
import { actorLabel, openJobDetail } from './job_detail.js';

const path = (...parts) => parts.map(encodeURIComponent).join('/');

export async function mount(root, ctx) {
  const { service, resource } = ctx.params;
  const base = `/api/v1/services/${path(service, resource)}`;
  const config = await get('/api/v1/services');
  const spec = config.services.find((s) => s.name === service)?.resources.find((r) => r.name === resource);
  if (!spec) {
    clear(root, h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, `No resource ${service}/${resource}`),
      h('a', { href: '/admin/sync/services' }, 'All snapshots')));
    return undefined;
  }
  ctx.setTitle(`${service}/${resource}`);
  const columns = spec.fields.filter((f) => !f.write_only && f.type !== 'json' && !spec.key.includes(f.name));
  const filterable = columns.filter((f) => f.indexed || f.type === 'boolean');
  const state = { q: ctx.query.get('q') || '', sync_status: ctx.query.get('sync_status') || '', sort: ctx.query.get('sort') || 'key' };
  const fieldFilters = new Map();
  for (const f of filterable) if (ctx.query.get(f.name) !== null) fieldFilters.set(f.name, ctx.query.get(f.name));
  let cursors = [''];
  let rows = [];
  let nextCursor = null;

  const query = () => ({ q: state.q, sync_status: state.sync_status, sort: state.sort === 'key' ? '' : state.sort, ...Object.fromEntries(fieldFilters) });
  const syncUrl = () => history.replaceState(null, '', withQuery(location.pathname, query()));

  const search = h('input', { type: 'search', id: 'row-search', value: state.q, placeholder: 'Search key and searchable fields', 'aria-label': `Search ${resource}` });
  search.addEventListener('input', debounce(() => { state.q = search.value.trim(); reset(); }, 300));
  const statusSelect = h('select', { id: 'row-status', 'aria-label': 'Sync status' }, h('option', { value: '' }, 'Any sync status'),
    h('option', { value: 'pending', selected: state.sync_status === 'pending' }, 'Pending (any)'),
    ROW_STATUSES.map((s) => h('option', { value: s, selected: state.sync_status === s }, rowStatusLabel(s))));
  statusSelect.addEventListener('change', () => { state.sync_status = statusSelect.value; reset(); });
  const fieldSelect = h('select', { 'aria-label': 'Filter field' }, filterable.map((f) => h('option', { value: f.name }, f.name)));
  const fieldValue = h('input', { 'aria-label': 'Filter value', placeholder: 'exact value' });
  const addFilter = h('form', { class: 'inline-form' }, fieldSelect, fieldValue, h('button', { type: 'submit', class: 'btn small' }, 'Add filter'));
  addFilter.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!fieldValue.value) return;
    fieldFilters.set(fieldSelect.value, fieldValue.value);
    fieldValue.value = '';
    reset();
  });
  const chips = h('div', { class: 'chips' });
  const tableArea = h('div', { class: 'table-area' }, loading('Loading rows…'));
  const pager = h('div', { class: 'pager' });
  const summary = h('p', { class: 'muted summary' });
  const syncButton = ctx.can('snapshot.write')
    ? h('button', { type: 'button', class: 'btn primary', onclick: (e) => syncNow(service, resource, e.currentTarget) }, 'Sync now') : null;

  clear(root,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '/admin/sync/services' }, 'Snapshots'), ' / ', service, ' / '),
    h('div', { class: 'page-head' }, h('h1', {}, resource), syncButton),
    summary,
    h('div', { class: 'filters' }, h('label', { class: 'filter grow' }, h('span', {}, 'Search'), search),
      h('label', { class: 'filter' }, h('span', {}, 'Sync status'), statusSelect),
      filterable.length ? h('div', { class: 'filter' }, h('span', {}, 'Field'), addFilter) : null),
    chips, tableArea, pager);

  function reset() { cursors = ['']; syncUrl(); load(); }

  function renderChips() {
    const items = [];
    const chip = (text, remove) => h('button', { type: 'button', class: 'chip', 'aria-label': `Remove filter ${text}`, onclick: remove }, text, h('span', { 'aria-hidden': 'true' }, ' ×'));
    if (state.q) items.push(chip(`search: ${state.q}`, () => { state.q = ''; search.value = ''; reset(); }));
    if (state.sync_status) items.push(chip(`status: ${state.sync_status}`, () => { state.sync_status = ''; statusSelect.value = ''; reset(); }));
    for (const [name, value] of fieldFilters) items.push(chip(`${name} = ${value}`, () => { fieldFilters.delete(name); reset(); }));
    clear(chips, items);
    chips.hidden = !items.length;
  }

  let sortFocus = null;  // the header whose button was used keeps the focus across the redraw
  function sortHeader(name, label) {
    const dir = state.sort === name ? 'ascending' : state.sort === `-${name}` ? 'descending' : 'none';
    const next = dir === 'ascending' ? `-${name}` : name;
    return h('th', { scope: 'col', 'aria-sort': dir }, h('button', { type: 'button', class: 'sort', 'data-sort': name, onclick: () => { state.sort = next; sortFocus = name; reset(); } },
      label, h('span', { 'aria-hidden': 'true', class: 'sort-mark' }, dir === 'ascending' ? ' ▲' : dir === 'descending' ? ' ▼' : '')));
  }

  const cell = (v) => (v === null || v === undefined ? h('span', { class: 'muted' }, '—') : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));

  function renderTable() {
    if (!rows.length) {
      const filtered = state.q || state.sync_status || fieldFilters.size;
      clear(tableArea, h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, filtered ? 'No rows match these filters' : 'This snapshot is empty'),
        h('p', { class: 'muted' }, filtered ? 'Remove a filter to see more rows.' : 'Sync the resource to fill it.')));
      return;
    }
    clear(tableArea, h('div', { class: 'table-wrap' }, h('table', { class: 'data rows' },
      h('thead', {}, h('tr', {}, sortHeader('key', spec.key.join(', ')), columns.map((f) => (f.indexed ? sortHeader(f.name, f.name) : h('th', { scope: 'col' }, f.name))),
        h('th', { scope: 'col' }, 'Sync status'), sortHeader('last_synced_at', 'Last synced'))),
      h('tbody', {}, rows.map((r) => h('tr', { class: 'clickable', 'data-key': r.key, onclick: () => openRow(r) },
        h('td', {}, h('button', { type: 'button', class: 'btn link', 'aria-label': `Open ${resource} ${r.key}`, onclick: (e) => { e.stopPropagation(); openRow(r); } }, r.key)),
        columns.map((f) => h('td', { class: f.type === 'integer' || f.type === 'number' ? 'num' : '' }, cell(r[f.name]))),
        h('td', {}, rowPill(r)), h('td', {}, timeEl(r.last_synced_at))))))));
    if (sortFocus) tableArea.querySelector(`button[data-sort="${CSS.escape(sortFocus)}"]`)?.focus();
    sortFocus = null;
  }

  function renderPager() {
    clear(pager,
      h('button', { type: 'button', class: 'btn small', disabled: cursors.length === 1, onclick: () => { cursors.pop(); load(); } }, '‹ Previous'),
      h('span', { class: 'muted' }, `Page ${cursors.length}`),
      h('button', { type: 'button', class: 'btn small', disabled: !nextCursor, onclick: () => { cursors.push(nextCursor); load(); } }, 'Next ›'));
  }

  async function load() {
    renderChips();
    try {
      const data = await get(withQuery(base, { ...query(), limit: 50, cursor: cursors[cursors.length - 1] }));
      rows = data.rows;
      nextCursor = data.next_cursor;
      const fresh = (await get('/api/v1/services')).services.find((s) => s.name === service)?.resources.find((r) => r.name === resource) || spec;
      clear(summary, `${number(fresh.rows)} rows · last synced `, fresh.last_synced_at ? timeEl(fresh.last_synced_at) : h('span', { class: 'never' }, 'never'),
        fresh.next_run_at ? [' · next sync ', timeEl(fresh.next_run_at)] : '');
      renderTable();
      renderPager();
    } catch (e) {
      clear(tableArea, errorBox(e, load));
    }
  }

  function editForm(row, doc, after) {
    const editable = spec.fields.filter((f) => !spec.key.includes(f.name) && f.type !== 'json');
    const inputs = new Map();
    const form = h('form', { class: 'edit-form', 'aria-label': `Edit ${resource} ${row.key}` });
    for (const f of editable) {
      const id = `edit-${f.name}`;
      let input;
      if (f.type === 'boolean') input = h('input', { id, type: 'checkbox', checked: !!doc[f.name] });
      else if (f.write_only) input = h('input', { id, type: 'password', autocomplete: 'new-password', placeholder: 'unchanged' });
      else input = h('input', { id, type: f.type === 'integer' || f.type === 'number' ? 'number' : 'text', value: doc[f.name] ?? '' });
      inputs.set(f, input);
      form.append(h('label', { for: id }, f.name), input);
    }
    const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Save');
    form.append(h('div', { class: 'actions' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const data = {};
      for (const [f, input] of inputs) {
        let value;
        if (f.type === 'boolean') value = input.checked;
        else if (f.type === 'integer') value = input.value === '' ? null : parseInt(input.value, 10);
        else if (f.type === 'number') value = input.value === '' ? null : Number(input.value);
        else value = input.value;
        if (f.write_only ? value !== '' : JSON.stringify(value) !== JSON.stringify(doc[f.name] ?? (f.type === 'string' ? '' : null))) data[f.name] = value;
      }
      if (!Object.keys(data).length) { toast('Nothing changed'); return; }
      submit.disabled = true;
      try {
        const out = await api('PATCH', `${base}/${encodeURIComponent(row.key)}?instance=${encodeURIComponent(row.instance)}`, { data },
          { headers: { 'If-Match': `"${row.content_hash}"` } });
        toast(`Saving ${resource} ${row.key} (job #${out.job.id})`);
        after();
      } catch (err) {
        const details = err.code === 'validation_failed' ? ': ' + Object.entries(err.details).map(([k, v]) => `${k} ${v}`).join('; ') : '';
        toast(`Could not save: ${err.message}${details}`, 'error');
        submit.disabled = false;
      }
    });
    return form;
  }

  function openRow(row) {
    const body = h('div', { class: 'detail-body' }, loading());
    const close = h('button', { type: 'button', class: 'btn small', 'aria-label': 'Close row details' }, 'Close');
    const dialog = h('dialog', { class: 'panel', 'aria-labelledby': 'row-title' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'row-title' }, `${resource} ${row.key}`), close), body);
    close.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    (async () => {
      try {
        // The row's own changes, and the syncs of its whole resource (each read this row too).
        const jobsOf = (filters) => get(withQuery('/api/v1/jobs', { service, target_type: resource, instance: row.instance, ...filters }));
        const [full, changes, syncs] = await Promise.all([
          get(`${base}/${encodeURIComponent(row.key)}?instance=${encodeURIComponent(row.instance)}`),
          jobsOf({ target_id: row.key, limit: 20 }),
          jobsOf({ action: 'sync', limit: 10 })]);
        const jobList = (section, jobs, empty) => (jobs.length ? h('ul', { class: 'job-list', 'data-section': section }, jobs.map((j) => h('li', {},
          h('button', { type: 'button', class: 'btn link', onclick: () => { dialog.close(); openJobDetail(j.id, ctx); } }, `#${j.id}`), ' ',
          j.action, j.kind === 'sync' && j.target_id ? ` (scope ${j.target_id})` : '', ' ', statusPill(j), ' by ', actorLabel(j.actor), ' ',
          timeEl(j.created_at)))) : h('p', { class: 'muted', 'data-section': section }, empty));
        clear(body,
          h('p', {}, rowPill(full), full.sync_error ? h('span', { class: 'error-text' }, ' ', full.sync_error) : null),
          ctx.can('snapshot.write') ? [h('h3', {}, 'Edit'), editForm(full, full.doc || {}, () => { dialog.close(); load(); })] : null,
          h('h3', {}, 'Remote document'), pretty(full.doc),
          h('h3', {}, 'Jobs that touched this row'),
          h('h4', {}, 'Changes to this row'),
          jobList('row-jobs', changes.jobs.filter((j) => j.kind !== 'sync'), 'No changes made through snapq yet.'),
          h('h4', {}, `Resource syncs (all of ${resource}, latest ${syncs.jobs.length || 10})`),
          h('p', { class: 'muted small' }, 'Each of these read the whole resource, this row included.'),
          jobList('resource-syncs', syncs.jobs, 'No sync of this resource yet.'));
      } catch (e) {
        clear(body, errorBox(e));
      }
    })();
  }

  await load();
  // Rows of this resource follow the jobs that change them.
  const refresh = debounce(load, 400);
  const unsubscribe = ctx.live.subscribe((change) => {
    if (!change || (change.service === service && change.target_type === resource)) refresh();
  });
  return () => { unsubscribe(); refresh.cancel(); };
}
