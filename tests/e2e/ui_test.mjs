// The admin UI in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core) against a `snapq demo` on loopback: sign in, health numbers
// equal to the API's, job filters, a job's detail, retry as operator with the
// row turning success live, a viewer without retry (and a 403 when forced), a
// payload holding HTML shown as text, and a snapshot row going Saving… -> Synced.
// Screenshots of every page, light and dark, go to $SNAPQ_E2E_SCREENSHOTS.
// The user filter offers every actor with jobs, and a row's detail lists the
// syncs of its whole resource beside its own changes.
// Run through tests/e2e/run.sh (ctest does): SNAPQ_BIN=build/snapq node ui_test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const BIN = process.env.SNAPQ_BIN;
const SHOTS = process.env.SNAPQ_E2E_SCREENSHOTS || path.join(os.tmpdir(), 'snapq-e2e-screenshots');
assert.ok(BIN && fs.existsSync(BIN), `SNAPQ_BIN must name the built snapq binary (got ${BIN})`);
fs.mkdirSync(SHOTS, { recursive: true });

const ADMIN_PASSWORD = 'admin-password-e2e-1';
const PASSWORDS = { olga: 'olga-password-1', vic: 'vic-password-1' };
let demo, dir, base, simUrl, browser;
const sessions = {};  // name -> {cookie, csrf}
const ids = {};       // the jobs the tests made

// Waits until fn() returns a truthy value (polling), or fails with `what`.
async function until(fn, what, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

async function call(who, method, route, body, headers = {}) {
  const s = sessions[who] || {};
  const res = await fetch(base + route, {
    method,
    headers: { 'Content-Type': 'application/json', ...(s.cookie ? { Cookie: s.cookie } : {}), ...(s.csrf && method !== 'GET' ? { 'X-CSRF-Token': s.csrf } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function signIn(name, password) {
  const res = await fetch(base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: name, password }) });
  assert.equal(res.status, 200, `sign-in of ${name}`);
  const body = await res.json();
  sessions[name] = { cookie: res.headers.get('set-cookie').split(';')[0], csrf: body.csrf_token };
}

async function chaos(settings) {
  const res = await fetch(simUrl + '/_sim/chaos', { method: 'POST', headers: { Authorization: 'Bearer sim-token', 'Content-Type': 'application/json' }, body: JSON.stringify(settings) });
  assert.equal(res.status, 200, 'sim chaos settings');
}

const jobDone = async (id, statuses) => {
  const j = await call('admin', 'GET', `/api/v1/jobs/${id}`);
  return statuses.includes(j.body.status) && j.body;
};

// The demo syncs accounts every minute (and zones and records every ten): a
// step that must not meet a sync (a failing service would open the circuit
// breaker; a sync replaces a conflict's expected version) starts after it.
async function quietPartOfMinute() {
  await until(() => { const s = new Date().getSeconds(); return s >= 3 && s <= 40; }, 'a quiet part of the minute', 30000);
}

async function idle() {
  const r = await call('admin', 'GET', '/api/v1/jobs?status=queued,running&limit=1');
  return r.body.jobs.length === 0;
}

// No job queued or running for a second: a finished sync may queue more
// (records per zone), and a failing service must meet only the job under test
// (ten failures in a row open the instance's circuit breaker).
async function settled() {
  let quietSince = Date.now();
  await until(async () => {
    if (!(await idle())) quietSince = Date.now();
    return Date.now() - quietSince >= 1000;
  }, 'no job to be queued or running', 60000);
}

async function newPage(scheme = 'light', viewport = { width: 1280, height: 860 }) {
  const context = await browser.newContext({ viewport, colorScheme: scheme });
  const page = await context.newPage();
  page.dialogs = [];
  page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss(); });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/401|403|Failed to load resource/.test(m.text())) page.errors.push(m.text()); });
  return page;
}

async function uiSignIn(page, name, password, target = '/admin/sync/jobs') {
  await page.goto(base + target);
  await page.waitForURL(/\/login\?next=/);
  await page.fill('#username', name);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === target);
}

// fn(page) in a fresh browser context signed in as `name` at `target`; no script error may occur.
async function asUser(name, target, fn) {
  const page = await newPage();
  try {
    await uiSignIn(page, name, PASSWORDS[name], target);
    await fn(page);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.context().close();
  }
}

// Light and dark screenshots of what the page shows now.
async function shoot(page, name, { fullPage = true } = {}) {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: path.join(SHOTS, `${name}-light.png`), fullPage });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(SHOTS, `${name}-dark.png`), fullPage });
  await page.emulateMedia({ colorScheme: 'light' });
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapq-e2e-'));
  demo = spawn(BIN, ['demo', '--listen', '127.0.0.1:0', '--sim-listen', '127.0.0.1:0', '--dir', path.join(dir, 'demo'), '--accounts', '30'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SNAPQ_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  const log = fs.createWriteStream(path.join(dir, 'demo.log'));
  demo.stderr.pipe(log);
  const at = (line, prefix) => { const i = line.indexOf(prefix); return i >= 0 ? line.slice(i + prefix.length).trim() : null; };
  readline.createInterface({ input: demo.stdout }).on('line', (line) => {
    base ||= at(line, 'open      ');
    simUrl ||= at(line, 'service   ')?.split(' ')[0];
  });
  try {
    await until(() => base && simUrl, 'the demo to print its URLs', 60000);
  } catch (e) {
    throw new Error(`${e.message}; demo log: ${fs.readFileSync(path.join(dir, 'demo.log'), 'utf8').slice(-2000)}`);
  }
  await signIn('admin', ADMIN_PASSWORD);
  await settled();  // the demo's first syncs
  for (const [name, role] of [['olga', 'operator'], ['vic', 'viewer']]) {
    const r = await call('admin', 'POST', '/api/v1/users', { name, role, password: PASSWORDS[name] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await signIn(name, PASSWORDS[name]);
  }
  // A job whose payload holds markup, and a job that fails (the sim answers 503 to everything).
  const xss = await call('olga', 'POST', '/api/v1/services/sim/accounts',
    { data: { email: 'eve@example.test', domain: '<img src=x onerror=alert(1)>', password: 'x-password-<img src=x onerror=alert(2)>' } });
  assert.equal(xss.status, 202, JSON.stringify(xss.body));
  ids.xss = xss.body.job.id;
  await until(() => jobDone(ids.xss, ['success', 'failed']), 'the create job to finish');
  await quietPartOfMinute();
  await settled();
  await chaos({ error_rate: 1 });
  const failing = await call('olga', 'PATCH', '/api/v1/services/sim/accounts/3', { data: { quota_mb: 333 } });
  assert.equal(failing.status, 202, JSON.stringify(failing.body));
  ids.failed = failing.body.job.id;
  try {
    await until(() => jobDone(ids.failed, ['failed']), 'the update to fail after its attempts', 60000);
  } catch (e) {
    const job = await call('admin', 'GET', `/api/v1/jobs/${ids.failed}`);
    const chaosNow = await (await fetch(simUrl + '/_sim/chaos', { headers: { Authorization: 'Bearer sim-token' } })).text();
    const health = await call('admin', 'GET', '/api/v1/health?window=1h');
    throw new Error(`${e.message}\njob: ${JSON.stringify(job.body)}\nchaos: ${chaosNow}\nhealth: ${JSON.stringify(health.body.services)}\n` +
      `demo log: ${fs.readFileSync(path.join(dir, 'demo.log'), 'utf8').slice(-3000)}`);
  }
  await chaos({ error_rate: 0 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });

});

after(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) {
    demo.kill('SIGINT');
    await new Promise((r) => { demo.once('exit', r); setTimeout(r, 15000); });
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the server sends the UI with its security headers', async () => {
  const page = await fetch(base + '/admin/sync/jobs');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.headers.get('content-security-policy'), /script-src 'self'/);
  const root = await fetch(base + '/', { redirect: 'manual' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/admin/sync/health');
});

test('sign in, see the user, sign out', async () => {
  const page = await newPage();
  await page.goto(base + '/admin/sync/health');
  await page.waitForURL(/\/login\?next=%2Fadmin%2Fsync%2Fhealth/);
  await shoot(page, 'login');
  await page.fill('#username', 'olga');
  await page.fill('#password', 'wrong-password-1');
  await page.click('button[type=submit]');
  await page.getByRole('alert').filter({ hasText: 'wrong' }).waitFor();
  await page.fill('#password', PASSWORDS.olga);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/admin/sync/health');
  assert.match(await page.textContent('[data-testid=user]'), /olga\s*operator/);
  // A session that ends while the page is open sends it to the sign-in, to come back after.
  await page.context().clearCookies();
  await page.click('.segmented button:has-text("7d")');
  await page.waitForURL(/\/login\?next=%2Fadmin%2Fsync%2Fhealth%3Fwindow%3D7d/);
  await page.fill('#username', 'olga');
  await page.fill('#password', PASSWORDS.olga);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/admin/sync/health' && u.search === '?window=7d');
  await page.click('text=Sign out');
  await page.waitForURL(/\/login/);
  await page.goto(base + '/admin/sync/jobs');
  await page.waitForURL(/\/login\?next=/);  // the session is gone
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('health numbers match the API', async () => {
  await asUser('olga', '/admin/sync/health', async (page) => {
    await page.locator('[data-total=total] .count').waitFor();
    // Jobs may still finish meanwhile: compare until one reading of the page equals one of the API.
    await until(async () => {
      const api = (await page.evaluate(() => fetch('/api/v1/health?window=24h').then((r) => r.json())));
      await page.click('.segmented button:has-text("24h")');
      await page.waitForTimeout(300);
      const shown = {};
      for (const key of ['total', 'success', 'failed', 'pending']) shown[key] = Number((await page.textContent(`[data-total=${key}] .count`)).replace(/,/g, ''));
      const t = api.totals;
      const want = { total: t.total, success: t.success, failed: t.failed + t.conflict, pending: t.pending };
      const card = await page.textContent('[data-service=sim] [data-testid=success-rate]');
      const rate = api.services.find((s) => s.service === 'sim').success_rate;
      return JSON.stringify(shown) === JSON.stringify(want) && card.startsWith(`${rate}%`);
    }, 'the page to show the API\'s totals', 15000);
    assert.ok(await page.locator('.chart rect').count() > 0, 'the throughput chart has bars');
    assert.ok(await page.locator(`a[href*="job=${ids.failed}"]`).count() === 1, 'the recent failure links to its job');
    await page.click('.segmented button:has-text("1h")');
    await page.waitForURL(/window=1h/);
    await shoot(page, 'health');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction(() => document.querySelector('.chart')?.viewBox.baseVal.width < 390);  // redrawn to fit
    await shoot(page, 'health-phone', { fullPage: false });
  });
});

test('jobs: filter by status card, service and search; open a detail', async () => {
  await asUser('olga', '/admin/sync/jobs', async (page) => {
    await page.locator('tr[data-job-id]').first().waitFor();
    await shoot(page, 'jobs');
    const failedCount = Number(await page.textContent('[data-status=failed] .count'));
    assert.ok(failedCount >= 1);
    await page.click('[data-status=failed]');
    await page.waitForURL(/status=failed/);
    await until(async () => (await page.locator('tr[data-job-id] .pill').allTextContents()).every((t) => t === 'failed')
      && await page.locator('tr[data-job-id]').count() === failedCount, 'only failed rows');
    assert.equal(await page.getAttribute('[data-status=failed]', 'aria-pressed'), 'true');
    await page.click('[data-status=failed]');  // again: the filter goes
    await page.waitForURL((u) => !u.search.includes('status='));
    await page.focus('[data-status=success]');  // the cards work from the keyboard too
    await page.keyboard.press('Enter');
    await page.waitForURL(/status=success/);
    await page.keyboard.press('Space');
    await page.waitForURL((u) => !u.search.includes('status='));
    await page.click('[data-window=custom]');  // a custom range: from a day ago, open-ended
    await page.waitForURL(/window=custom&since=/);
    await page.locator('#since').waitFor();
    await page.click('[data-window="7d"]');
    await page.waitForURL((u) => u.search === '');
    await page.selectOption('#filter-service', 'sim');
    await page.waitForURL(/service=sim/);
    await until(async () => (await page.locator('tr[data-job-id] td:nth-child(3)').allTextContents()).every((t) => t.startsWith('sim')), 'only sim rows');
    await page.fill('#filter-q', 'update');
    await page.waitForURL(/q=update/);
    await until(async () => {
      const actions = await page.locator('tr[data-job-id] td:nth-child(4) .mono').allTextContents();
      return actions.length > 0 && actions.every((a) => a === 'update');
    }, 'only update jobs');
    assert.equal(await page.locator('.chip').count(), 2);  // service and search
    await page.reload();  // every filter survives a reload
    await page.locator('tr[data-job-id]').first().waitFor();
    assert.equal(await page.inputValue('#filter-q'), 'update');
    assert.equal(await page.inputValue('#filter-service'), 'sim');
    await page.fill('#filter-q', 'no-such-thing-anywhere');
    await page.locator('[data-empty=filtered]').waitFor();
    await page.click('.chip:has-text("service")');
    await page.click('.chip:has-text("q:")');
    await page.waitForURL((u) => u.search === '');
    // The detail of the failed job.
    await page.click(`tr[data-job-id="${ids.failed}"] td:nth-child(5)`);
    const panel = page.locator('dialog.panel');
    await panel.getByRole('heading', { name: `Job #${ids.failed}` }).waitFor();
    await panel.getByText('masked as ***').waitFor();
    await panel.getByRole('heading', { name: 'History' }).waitFor();
    assert.match(await panel.locator('pre.error-text').textContent(), /503|attempt/);
    assert.ok(await panel.locator('[data-action=retry]').isVisible());
    await shoot(page, 'job-detail');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot(page, 'jobs-phone', { fullPage: false });
  });
});

test('jobs: the user filter offers everyone with jobs in the window and filters by them', async () => {
  await asUser('vic', '/admin/sync/jobs', async (page) => {
    // olga (an operator) dispatched jobs; vic made none, and is not offered.
    const olga = page.locator('#filter-actor option[value=olga]');
    await olga.waitFor({ state: 'attached' });
    assert.equal(await olga.textContent(), 'olga');
    assert.equal(await page.locator('#filter-actor option[value=system]').textContent(), 'system / scheduler');
    assert.equal(await page.locator('#filter-actor option[value=vic]').count(), 0);
    await page.selectOption('#filter-actor', 'olga');
    await page.waitForURL(/actor=olga/);
    await until(async () => {
      const users = await page.locator('tr[data-job-id] td[data-label=User]').allTextContents();
      return users.length > 0 && users.every((u) => u === 'olga');
    }, 'only olga\'s jobs');
    assert.ok(await page.locator(`tr[data-job-id="${ids.failed}"]`).count() === 1, 'her failed update is listed');
    await shoot(page, 'jobs-user-filter', { fullPage: false });
    // A user with no job in the window stays chosen (a shared link), with an empty table.
    await page.goto(`${base}/admin/sync/jobs?actor=nobody`);
    await page.locator('[data-empty=filtered]').waitFor();
    await olga.waitFor({ state: 'attached' });
    assert.equal(await page.inputValue('#filter-actor'), 'nobody');
  });
});

test('a viewer sees no retry and the server refuses it', async () => {
  await asUser('vic', '/admin/sync/jobs', async (page) => {
    await page.locator('tr[data-job-id]').first().waitFor();
    assert.equal(await page.locator('input[type=checkbox]').count(), 0, 'no bulk selection');
    await page.goto(`${base}/admin/sync/jobs?job=${ids.failed}`);
    const panel = page.locator('dialog.panel');
    await panel.getByRole('heading', { name: 'History' }).waitFor();
    assert.equal(await panel.locator('[data-action]').count(), 0, 'no actions for a viewer');
    const forced = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/jobs/${id}/retry`, { method: 'POST', headers: { 'X-CSRF-Token': localStorage.getItem('snapq.csrf') } });
      return { status: r.status, body: await r.json() };
    }, ids.failed);
    assert.equal(forced.status, 403);
    assert.equal(forced.body.error.code, 'forbidden');
    assert.equal((await jobDone(ids.failed, ['failed'])).status, 'failed');
  });
});

test('retry a failed job as operator and see it succeed live', async () => {
  await asUser('olga', '/admin/sync/jobs', async (page) => {
    const row = page.locator(`tr[data-job-id="${ids.failed}"]`);
    await row.waitFor();
    assert.equal(await row.locator('.pill').first().textContent(), 'failed');
    await page.locator('.live-badge.live').waitFor();  // the events stream is up
    await page.evaluate(() => { window.notReloaded = true; });
    await row.locator('input[type=checkbox]').check();
    await page.locator('.bulk-bar').waitFor();
    await page.click('.bulk-bar button:has-text("Retry selected")');
    await row.locator('.pill:text("success")').waitFor({ timeout: 30000 });
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'updated without a reload');
    assert.equal((await jobDone(ids.failed, ['success'])).status, 'success');
    await page.goto(`${base}/admin/sync/jobs?job=${ids.failed}`);
    await page.locator('dialog.panel .events').getByText('by olga').first().waitFor();  // who retried
  });
});

test('a conflict shows expected and current side by side, and applies anyway', async () => {
  await quietPartOfMinute();  // the minutely sync would replace the snapshot's (expected) version
  const drift = await fetch(simUrl + '/_sim/drift', { method: 'POST', headers: { Authorization: 'Bearer sim-token', 'Content-Type': 'application/json' },
    body: JSON.stringify({ resource: 'accounts', id: 7, changes: { quota_mb: 1 } }) });
  assert.equal(drift.status, 200);
  const update = await call('olga', 'PATCH', '/api/v1/services/sim/accounts/7', { data: { quota_mb: 777 } });
  assert.equal(update.status, 202, JSON.stringify(update.body));
  const id = update.body.job.id;
  await until(() => jobDone(id, ['conflict']), 'the update to end in conflict');
  await asUser('olga', '/admin/sync/jobs', async (page) => {
    await page.goto(`${base}/admin/sync/jobs?job=${id}`);
    const panel = page.locator('dialog.panel');
    const differs = panel.locator('table.diff tr.differs');
    await differs.first().waitFor();
    const [, current, intended] = await differs.filter({ hasText: 'quota_mb' }).locator('td').allTextContents();
    assert.deepEqual([current, intended], ['1', '777']);
    await shoot(page, 'job-conflict');
    await panel.locator('[data-action=override]').click();
    await panel.locator('.pill.status-success').waitFor({ timeout: 30000 });
    assert.equal((await jobDone(id, ['success'])).status, 'success');
  });
});

test('a payload holding HTML renders as text', async () => {
  await asUser('olga', '/admin/sync/jobs', async (page) => {
    await page.goto(`${base}/admin/sync/jobs?job=${ids.xss}`);
    const panel = page.locator('dialog.panel');
    await panel.getByRole('heading', { name: 'Payload' }).waitFor();
    const payload = await panel.locator('pre[data-section=payload]').textContent();
    assert.ok(payload.includes('<img src=x onerror=alert(1)>'), payload);
    assert.ok(!payload.includes('alert(2)'), 'the password is masked');
    assert.equal(await page.locator('dialog img, main img').count(), 0, 'no element was made from the payload');
    await page.keyboard.press('Escape');
    await page.fill('#filter-q', 'create');  // the list shows the job too
    await page.locator(`tr[data-job-id="${ids.xss}"]`).waitFor();
    assert.deepEqual(page.dialogs, [], 'no script ran');
  });
});

test('browse a snapshot, sync it, update a row and watch Saving… turn Synced', async () => {
  await asUser('olga', '/admin/sync/services', async (page) => {
    await page.locator('tr[data-resource=accounts]').waitFor();
    await shoot(page, 'services');
    await page.click('tr[data-resource=accounts] a');
    await page.waitForURL(/\/admin\/sync\/services\/sim\/accounts$/);
    await page.locator('tr[data-key]').first().waitFor();
    for (const column of ['email', 'domain', 'quota_mb', 'suspended']) await page.locator(`thead th:has-text("${column}")`).waitFor();
    assert.equal(await page.locator('thead th:has-text("password")').count(), 0, 'write-only fields are no column');
    await page.click('button:has-text("Sync now")');
    await page.locator('.toast').filter({ hasText: /Sync of accounts (queued|is already)/ }).waitFor();
    await until(idle, 'the sync to finish');
    // Search, then sort by quota descending.
    await page.fill('#row-search', 'user5@');
    await page.waitForURL(/q=user5/);
    await until(async () => (await page.locator('tr[data-key]').count()) === 1, 'one row for user5@');
    await page.click('.chip');
    await page.click('thead button:has-text("quota_mb")');
    await page.waitForURL(/sort=quota_mb/);
    await page.locator('th[aria-sort=ascending]:has-text("quota_mb")').waitFor();
    await page.click('thead button:has-text("quota_mb")');
    await page.waitForURL(/sort=-quota_mb/);
    await page.locator('th[aria-sort=descending]:has-text("quota_mb")').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.sort), 'quota_mb', 'the sort button keeps the focus');
    await page.goto(`${base}/admin/sync/services/sim/accounts`);
    await page.locator('tr[data-key="5"]').waitFor();
    await shoot(page, 'resource');
    // A slow service keeps the row pending long enough to see it.
    await chaos({ latency_ms: 1500 });
    try {
      await page.click('tr[data-key="5"] td:nth-child(2)');
      const panel = page.locator('dialog.panel');
      await panel.getByRole('heading', { name: 'Remote document' }).waitFor();
      // The whole-resource syncs read this row too: the demo's first one and "Sync now" above.
      await panel.getByRole('heading', { name: /^Resource syncs/ }).waitFor();
      const syncs = panel.locator('ul[data-section=resource-syncs] li');
      assert.ok(await syncs.count() >= 1, 'resource syncs listed');
      assert.match(await syncs.first().textContent(), /^#\d+ sync .+ by /);
      await shoot(page, 'row-detail');
      await panel.locator('#edit-quota_mb').fill('5555');
      await panel.locator('button:has-text("Save")').click();
      await panel.waitFor({ state: 'detached' });
      const pill = page.locator('tr[data-key="5"] [data-sync-status]');
      await pill.filter({ hasText: 'Saving…' }).waitFor({ timeout: 10000 });
      assert.match(await pill.getAttribute('class'), /pulse/);
      await pill.filter({ hasText: 'Synced' }).waitFor({ timeout: 30000 });
    } finally {
      await chaos({ latency_ms: 0 });
    }
    assert.equal(await page.textContent('tr[data-key="5"] td:nth-child(4)'), '5555');
  });
});
