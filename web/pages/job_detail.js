// The detail panel of one job (GET /api/v1/jobs/{id}): every field, the error,
// the masked payload, the result, the event history, a conflict's expected and
// current remote object side by side, and the actions the user may take.
import { api, get } from '../api.js';
import { h, clear, pretty, statusPill, timeEl, duration, loading, errorBox, toast, confirmDialog } from '../dom.js';

export function actorLabel(actor) {
  if (!actor || actor.type === 'system') return 'system / scheduler';
  return actor.name;
}

// POST retry/cancel or DELETE, with the outcome told in a toast. Resolves true on success.
export async function jobAction(job, action) {
  try {
    if (action === 'delete') {
      if (!(await confirmDialog(`Delete job #${job.id}? Its history goes with it; this cannot be undone.`, 'Delete'))) return false;
      await api('DELETE', `/api/v1/jobs/${job.id}`);
      toast(`Job #${job.id} deleted`);
    } else if (action === 'override') {
      await api('POST', `/api/v1/jobs/${job.id}/retry`, { override: true });
      toast(`Job #${job.id} queued to apply anyway`);
    } else {
      await api('POST', `/api/v1/jobs/${job.id}/${action}`);
      toast(`Job #${job.id} ${action === 'retry' ? 'queued again' : 'cancelled'}`);
    }
    return true;
  } catch (e) {
    toast(`Could not ${action} job #${job.id}: ${e.message}`, 'error');
    return false;
  }
}

export function actionButtons(job, can, after) {
  if (!can('sync.job.manage')) return [];
  const button = (action, label, cls = '') => h('button', {
    type: 'button', class: `btn small ${cls}`, 'data-action': action,
    onclick: async (e) => { e.stopPropagation(); if (await jobAction(job, action)) after?.(action); },
  }, label);
  const out = [];
  if (job.status === 'failed' || job.status === 'conflict') out.push(button('retry', 'Retry', 'primary'));
  if (job.status === 'conflict') out.push(button('override', 'Apply anyway'));
  if (job.status === 'queued') out.push(button('cancel', 'Cancel'));
  if (job.status !== 'running') out.push(button('delete', 'Delete', 'danger'));
  return out;
}

const section = (el, name) => { el.dataset.section = name; return el; };

function fieldList(job) {
  const rows = [
    ['ID', job.id], ['Service / instance', `${job.service} / ${job.instance}`], ['Action', `${job.action} (${job.kind})`],
    ['Target', [job.target_type, job.target_id].filter(Boolean).join(' / ') || '—'], ['Status', statusPill(job)],
    ['Attempts', `${job.attempts} of ${job.max_attempts}`], ['User', actorLabel(job.actor)], ['Trigger', job.trigger_source],
    ['Queue', job.queue || '—'], ['Priority', job.priority], ['Created', timeEl(job.created_at)], ['Run at', timeEl(job.run_at)],
    ['Started', timeEl(job.started_at)], ['Finished', timeEl(job.finished_at)], ['Duration', duration(job.duration_ms)],
    ['Expected hash', job.expected_hash || '—'],
  ];
  return h('dl', { class: 'fields' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function eventList(events) {
  if (!events?.length) return h('p', { class: 'muted' }, 'No events recorded.');
  return h('ol', { class: 'events' }, events.map((e) => h('li', {},
    timeEl(e.at), ' ', h('strong', {}, e.type), e.actor ? ` by ${actorLabel(e.actor)}` : '',
    e.message ? h('div', { class: 'event-message' }, e.message) : null)));
}

// Expected (the snapshot row the change was based on) against current (what the
// service holds now), field by field, differing fields highlighted.
async function conflictView(job) {
  const current = job.result?.current || {};
  let expected = null;
  try {
    const row = await get(`/api/v1/services/${encodeURIComponent(job.service)}/${encodeURIComponent(job.target_type)}/${encodeURIComponent(job.target_id)}?instance=${encodeURIComponent(job.instance)}`);
    // The snapshot holds the expected version until a sync replaces it.
    if (row.content_hash === job.expected_hash) expected = row.doc || {};
  } catch { /* the row is gone */ }
  if (expected === null) {
    return h('div', {}, h('p', { class: 'note' }, `The snapshot no longer holds the expected version (hash ${job.expected_hash || 'unknown'}); the current remote object:`),
      pretty(current));
  }
  const intended = job.result?.intended || job.payload?.data || {};
  // The declared fields (what the hash covers), not the document's other members.
  const names = [...new Set([...Object.keys(current), ...Object.keys(intended)])].sort();
  const show = (v) => (v === undefined ? '—' : JSON.stringify(v));
  return h('table', { class: 'diff' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Expected (snapshot)'),
      h('th', { scope: 'col' }, 'Current (remote)'), h('th', { scope: 'col' }, 'Intended change'))),
    h('tbody', {}, names.map((name) => {
      const differs = show(expected[name]) !== show(current[name]);
      return h('tr', { class: differs ? 'differs' : '' }, h('th', { scope: 'row' }, name, differs ? h('span', { class: 'sr-only' }, ' (differs)') : null),
        h('td', {}, show(expected[name])), h('td', {}, show(current[name])), h('td', {}, show(intended[name])));
    })));
}

// Opens the panel; `onChange` runs after an action changed the job.
export function openJobDetail(id, ctx, { onChange, onClose } = {}) {
  const body = h('div', { class: 'detail-body' }, loading());
  const close = h('button', { type: 'button', class: 'btn small', 'aria-label': 'Close job details' }, 'Close');
  const dialog = h('dialog', { class: 'panel', 'aria-labelledby': 'job-detail-title' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'job-detail-title' }, `Job #${id}`), close), body);
  const finish = () => { if (dialog.open) dialog.close(); };
  close.addEventListener('click', finish);
  dialog.addEventListener('close', () => { unsubscribe(); dialog.remove(); onClose?.(); });
  document.body.append(dialog);
  dialog.showModal();

  async function load() {
    let job;
    try {
      job = await get(`/api/v1/jobs/${id}`);
    } catch (e) {
      clear(body, errorBox(e, load));
      return;
    }
    const sections = [
      h('div', { class: 'actions' }, actionButtons(job, ctx.can, (action) => {
        onChange?.();
        if (action === 'delete') finish(); else load();
      })),
      fieldList(job),
    ];
    if (job.error) sections.push(h('h3', {}, 'Error'), h('pre', { class: 'code error-text' }, job.error));
    if (job.status === 'conflict') {
      sections.push(h('h3', {}, 'Conflict: expected versus current'), await conflictView(job));
    }
    sections.push(h('h3', {}, 'Payload'),
      h('p', { class: 'note' }, 'Sensitive values (passwords, tokens, secrets) are masked as *** before they are stored.'),
      section(pretty(job.payload), 'payload'), h('h3', {}, 'Result'),
      job.result === null ? h('p', { class: 'muted' }, 'No result.') : section(pretty(job.result), 'result'),
      h('h3', {}, 'History'), eventList(job.events));
    clear(body, sections);
  }
  // The open job follows the live stream.
  const unsubscribe = ctx.live.subscribe((change) => { if (!change || change.id === id) load(); });
  load();
  return finish;
}
