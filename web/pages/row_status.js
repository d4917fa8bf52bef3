// A snapshot row's sync status as people read it.
import { h } from '../dom.js';

export const ROW_STATUSES = ['synced', 'pending_create', 'pending_update', 'pending_delete', 'failed', 'conflict'];
const LABELS = {
  synced: 'Synced', pending_create: 'Creating…', pending_update: 'Saving…', pending_delete: 'Deleting…',
  failed: 'Failed', conflict: 'Conflict',
};
export const rowStatusLabel = (s) => LABELS[s] || s;

export function rowPill(row) {
  const pending = row.sync_status.startsWith('pending_');
  return h('span', {
    class: `pill row-${row.sync_status}${pending ? ' pulse' : ''}`, 'data-sync-status': row.sync_status,
    title: row.sync_error || (pending && row.pending ? `job #${row.pending.job_id} in progress` : null),
  }, rowStatusLabel(row.sync_status));
}
