// /admin/sync/services (GET /api/v1/services): every service's resources with
// row counts, rows per sync status, last and next sync, and "Sync now".
import { api, get } from '../api.js';
import { h, clear, timeEl, number, loading, errorBox, toast, debounce } from '../dom.js';
import { ROW_STATUSES, rowStatusLabel } from './row_status.js';

export async function syncNow(service, resource, button) {
  button.disabled = true;
  try {
    const out = await api('POST', `/api/v1/services/${encodeURIComponent(service)}/${encodeURIComponent(resource)}/sync`, {});
    toast(out.deduplicated ? `A sync of ${resource} is already queued (job #${out.job.id})` : `Sync of ${resource} queued (job #${out.job.id})`);
  } catch (e) {
    toast(`Sync of ${resource} failed: ${e.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

function statusCounts(counts) {
  const shown = ROW_STATUSES.filter((s) => counts[s] > 0);
  if (!shown.length) return h('span', { class: 'muted' }, 'no rows');
  return h('span', { class: 'row-counts' }, shown.map((s) =>
    h('span', { class: `pill row-${s}`, title: `${counts[s]} ${rowStatusLabel(s)}` }, `${rowStatusLabel(s)} ${number(counts[s])}`)));
}

export async function mount(root, ctx) {
  const content = h('div', {}, loading('Loading services…'));
  clear(root, h('div', { class: 'page-head' }, h('h1', {}, 'Snapshots')), content);
  const canSync = ctx.can('snapshot.write');

  function render(data) {
    if (!data.services.length) {
      clear(content, h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, 'No services configured'),
        h('p', { class: 'muted' }, 'Start snapq serve with --config FILE to browse snapshots.')));
      return;
    }
    clear(content, data.services.map((s) => h('section', { class: 'service', 'aria-labelledby': `service-${s.name}` },
      h('div', { class: 'section-head' }, h('h2', { id: `service-${s.name}` }, s.name, h('span', { class: 'sub' }, ` ${s.connector}`)),
        h('span', { class: 'instances' }, s.instances.map((i) => h('span', { class: `badge circuit-${i.circuit}`, title: 'Circuit breaker' }, `${i.name}: ${i.circuit.replace('_', '-')}`)))),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Resource', 'Rows', 'Sync status', 'Last synced', 'Next sync', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, s.resources.map((r) => h('tr', { 'data-resource': r.name },
          h('td', {}, h('a', { href: `/admin/sync/services/${encodeURIComponent(s.name)}/${encodeURIComponent(r.name)}` }, r.name),
            r.scope ? h('div', { class: 'sub' }, `one per ${r.scope.parent} row`) : null),
          h('td', { class: 'num' }, number(r.rows)),
          h('td', {}, statusCounts(r.sync_status_counts)),
          h('td', {}, r.last_synced_at ? timeEl(r.last_synced_at) : h('span', { class: 'never' }, 'never')),
          h('td', {}, r.next_run_at ? timeEl(r.next_run_at) : h('span', { class: 'muted' }, 'not scheduled'), r.schedule ? h('div', { class: 'sub mono' }, r.schedule) : null),
          h('td', {}, canSync ? h('button', { type: 'button', class: 'btn small', 'aria-label': `Sync ${r.name} now`,
            onclick: (e) => syncNow(s.name, r.name, e.currentTarget) }, 'Sync now') : null)))))))));
  }

  async function load() {
    try {
      render(await get('/api/v1/services'));
    } catch (e) {
      clear(content, errorBox(e, load));
    }
  }
  await load();
  const refresh = debounce(load, 1000);
  const unsubscribe = ctx.live.subscribe(() => refresh());
  return () => { unsubscribe(); refresh.cancel(); };
}
