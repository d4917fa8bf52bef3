// /admin/sync/health (GET /api/v1/health): totals, throughput, one card per
// service, recent failures and workers for a window; refreshed live.
import { get, withQuery } from '../api.js';
import { h, svg, clear, timeEl, duration, age, number, loading, errorBox, debounce } from '../dom.js';

const WINDOWS = ['1h', '24h', '7d', '30d'];

function rateClass(rate) {
  if (rate === null || rate === undefined) return 'rate-none';
  if (rate >= 95) return 'rate-good';
  if (rate >= 80) return 'rate-warn';
  return 'rate-bad';
}

// Stacked bars (success below, failed on top) per bucket, drawn as SVG in
// the box's own pixel width, so labels keep their size on any screen.
function chart(series, windowName, width) {
  const height = 200;
  const pad = { left: 36, right: 8, top: 10, bottom: 22 };
  const max = Math.max(1, ...series.map((b) => b.success + b.failed));
  const slot = (width - pad.left - pad.right) / Math.max(1, series.length);
  const bar = Math.max(1, slot * 0.7);
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - v / max);
  const label = (iso) => {
    const d = new Date(iso);
    return windowName === '1h' || windowName === '24h'
      ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
      : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  };
  const total = series.reduce((n, b) => n + b.success + b.failed, 0);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
    'aria-label': `Throughput: ${total} finished jobs in ${series.length} buckets, at most ${max} per bucket` });
  root.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0), class: 'axis' }),
    svg('text', { x: pad.left - 6, y: y(max) + 4, class: 'tick', 'text-anchor': 'end' }, String(max)),
    svg('text', { x: pad.left - 6, y: y(0), class: 'tick', 'text-anchor': 'end' }, '0'));
  series.forEach((b, i) => {
    const x = pad.left + i * slot + (slot - bar) / 2;
    const tip = `${label(b.t)}: ${b.success} success, ${b.failed} failed`;
    const g = svg('g', {}, svg('title', {}, tip));
    if (b.success) g.append(svg('rect', { x, width: bar, y: y(b.success), height: y(0) - y(b.success), class: 'bar-success' }));
    if (b.failed) g.append(svg('rect', { x, width: bar, y: y(b.success + b.failed), height: y(b.success) - y(b.success + b.failed), class: 'bar-failed' }));
    root.append(g);
  });
  for (const i of [0, Math.floor(series.length / 2), series.length - 1]) {
    if (!series[i]) continue;
    root.append(svg('text', { x: pad.left + i * slot + slot / 2, y: height - 6, class: 'tick', 'text-anchor': 'middle' }, label(series[i].t)));
  }
  return root;
}

function chartBox() {
  return h('figure', { class: 'chart-box' },
    h('figcaption', { class: 'legend' }, h('span', { class: 'key success' }, 'Success'), h('span', { class: 'key failed' }, 'Failed + conflict')));
}

function serviceCard(s) {
  const rate = s.success_rate;
  const stat = (label, value, cls = '') => h('div', { class: `stat ${cls}` }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value' }, value));
  return h('article', { class: 'card service-card', 'data-service': s.service, 'aria-labelledby': `svc-${s.service}` },
    h('div', { class: 'card-head' }, h('h3', { id: `svc-${s.service}` }, s.service),
      h('span', { class: `badge circuit-${s.circuit}`, title: 'Circuit breaker' }, `circuit ${s.circuit.replace('_', '-')}`)),
    h('div', { class: `rate ${rateClass(rate)}`, 'data-testid': 'success-rate' }, rate === null ? 'no finished jobs' : `${rate}%`,
      h('span', { class: 'stat-label' }, ' success rate')),
    h('div', { class: 'stats' },
      stat('Success', number(s.success)), stat('Failed', number(s.failed + s.conflict)), stat('Pending', number(s.pending)),
      stat('p50', duration(s.p50_ms)), stat('p95', duration(s.p95_ms)), stat('Oldest queued', age(s.oldest_queued_age_s)),
      stat('Last successful sync', s.last_sync_at ? timeEl(s.last_sync_at) : h('span', { class: 'never' }, 'never'))),
    h('a', { href: withQuery('/admin/sync/jobs', { service: s.service }), class: 'more' }, `Jobs of ${s.service} ›`));
}

export async function mount(root, ctx) {
  let windowName = WINDOWS.includes(ctx.query.get('window')) ? ctx.query.get('window') : '24h';
  const switcher = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Window' });
  const updated = h('span', { class: 'muted updated' });
  const content = h('div', {}, loading('Loading health…'));
  clear(root, h('div', { class: 'page-head' }, h('h1', {}, 'System health'), h('div', { class: 'window' }, switcher, updated)), content);

  const choices = WINDOWS.map((w) => h('button', {
    type: 'button', class: 'seg',
    onclick: () => {
      windowName = w;
      history.replaceState(null, '', withQuery(location.pathname, { window: w === '24h' ? '' : w }));
      renderSwitcher();
      load();
    },
  }, w));
  switcher.append(...choices);
  function renderSwitcher() {
    choices.forEach((b, i) => b.setAttribute('aria-pressed', String(WINDOWS[i] === windowName)));
  }

  let chartBoxNow = null;
  let lastSeries = null;
  function drawChart() {
    if (!chartBoxNow || !lastSeries) return;
    chartBoxNow.querySelector('svg')?.remove();
    chartBoxNow.prepend(chart(lastSeries.series, lastSeries.window, Math.max(280, chartBoxNow.clientWidth - 20)));
  }
  // Redrawn at the new width when the window changes size (a phone turned around).
  const onResize = debounce(drawChart, 150);
  window.addEventListener('resize', onResize);

  function render(data) {
    const t = data.totals;
    const box = chartBox();
    const total = (label, value, cls, key) => h('div', { class: `card total ${cls}`, 'data-total': key },
      h('span', { class: 'count' }, number(value)), h('span', { class: 'label' }, label));
    const failures = data.recent_failures.length === 0
      ? h('p', { class: 'muted empty-inline' }, 'No failures in this window.')
      : h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Job', 'Service', 'Action', 'Target', 'Error', 'When'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, data.recent_failures.map((j) => h('tr', {},
          h('td', {}, h('a', { href: withQuery('/admin/sync/jobs', { service: j.service, status: j.status, q: j.target_id || '', job: j.id }) }, `#${j.id}`)),
          h('td', {}, j.service), h('td', { class: 'mono' }, j.action), h('td', {}, j.target_id || '—'),
          h('td', { class: 'clip error-text', title: j.error || '' }, (j.error || '').length > 80 ? j.error.slice(0, 80) + '…' : j.error || '—'),
          h('td', {}, timeEl(j.finished_at || j.created_at)))))));
    const workers = data.workers.length === 0
      ? h('p', { class: 'muted empty-inline' }, 'No worker has registered (workers of snapq serve run in this process).')
      : h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Worker', 'Host', 'PID', 'Running', 'Started', 'Last heartbeat'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, data.workers.map((w) => h('tr', {}, h('td', { class: 'mono' }, w.id), h('td', {}, w.host), h('td', {}, w.pid),
          h('td', {}, w.running), h('td', {}, timeEl(w.started_at)), h('td', {}, timeEl(w.last_seen_at)))))));
    clear(content,
      h('section', { class: 'totals', 'aria-label': 'Totals' },
        total('Jobs', t.total, '', 'total'), total('Success', t.success, 'status-success', 'success'),
        total('Failed + conflict', t.failed + t.conflict, 'status-failed', 'failed'), total('Pending', t.pending, 'status-queued', 'pending')),
      h('section', { 'aria-labelledby': 'throughput' }, h('h2', { id: 'throughput' }, 'Throughput'), box),
      h('section', { 'aria-labelledby': 'services-h' }, h('h2', { id: 'services-h' }, 'Services'),
        data.services.length ? h('div', { class: 'service-cards' }, data.services.map(serviceCard)) : h('p', { class: 'muted' }, 'No services configured.')),
      h('section', { 'aria-labelledby': 'failures-h' }, h('div', { class: 'section-head' }, h('h2', { id: 'failures-h' }, 'Recent failures'),
        h('a', { href: withQuery('/admin/sync/jobs', { status: 'failed' }) }, 'All failed jobs ›')), failures),
      h('section', { 'aria-labelledby': 'workers-h' }, h('h2', { id: 'workers-h' }, 'Workers'), workers));
    chartBoxNow = box;
    lastSeries = data;
    drawChart();
    updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
  }

  let seq = 0;
  async function load() {
    const mine = ++seq;
    try {
      const data = await get(withQuery('/api/v1/health', { window: windowName }));
      if (mine === seq) render(data);
    } catch (e) {
      if (mine === seq) clear(content, errorBox(e, load));
    }
  }
  renderSwitcher();
  await load();
  const refresh = debounce(load, 1000);
  const unsubscribe = ctx.live.subscribe(() => refresh());
  return () => { unsubscribe(); refresh.cancel(); onResize.cancel(); window.removeEventListener('resize', onResize); };
}
