// The shell of the admin UI: who is signed in, the header and navigation,
// client-side routing between the pages (history API), the live stream.
import { api, setCsrfToken, Live } from './api.js';
import { h, clear, loading, errorBox } from './dom.js';
import * as loginPage from './pages/login.js';
import * as healthPage from './pages/health.js';
import * as jobsPage from './pages/jobs.js';
import * as servicesPage from './pages/services.js';
import * as resourcePage from './pages/resource.js';

const ROUTES = [
  { pattern: /^\/login\/?$/, page: loginPage, title: 'Sign in', bare: true },
  { pattern: /^\/admin\/sync\/health\/?$/, page: healthPage, title: 'System health', nav: 'health' },
  { pattern: /^\/admin\/sync\/jobs\/?$/, page: jobsPage, title: 'Sync jobs', nav: 'jobs' },
  { pattern: /^\/admin\/sync\/services\/?$/, page: servicesPage, title: 'Snapshots', nav: 'services' },
  { pattern: /^\/admin\/sync\/services\/([^/]+)\/([^/]+)\/?$/, page: resourcePage, title: 'Snapshot', nav: 'services',
    params: (m) => ({ service: decodeURIComponent(m[1]), resource: decodeURIComponent(m[2]) }) },
];

const app = document.getElementById('app');
let me = null;
let live = null;
let unmount = null;
let liveBadge = null;

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

// Links inside the app move without a page load (new tabs and modified clicks stay the browser's).
document.addEventListener('click', (e) => {
  const a = e.target.closest?.('a[href]');
  if (!a || a.target || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/admin/')) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', () => render());

async function signOut() {
  try {
    await api('DELETE', '/api/v1/session', undefined, { redirectOn401: false });
  } catch { /* signed out either way */ }
  setCsrfToken(null);
  me = null;
  live?.close();
  live = null;
  navigate('/login', { replace: true });
}

function shell(route) {
  const navItem = (key, href, label) => h('a', { href, class: 'nav-link', 'aria-current': route.nav === key ? 'page' : null }, label);
  liveBadge = h('span', { class: 'live-badge', role: 'status', title: 'Live updates' });
  setLiveState(live?.state || 'connecting');
  const main = h('main', { id: 'main', tabindex: '-1' });
  clear(app,
    h('header', { class: 'topbar' },
      h('a', { href: '/admin/sync/health', class: 'brand', 'aria-label': 'snapq home' }, 'snapq'),
      h('nav', { 'aria-label': 'Main' }, navItem('health', '/admin/sync/health', 'Health'),
        navItem('jobs', '/admin/sync/jobs', 'Jobs'), navItem('services', '/admin/sync/services', 'Snapshots')),
      h('div', { class: 'user' }, liveBadge,
        h('span', { class: 'user-name', 'data-testid': 'user' }, me.user.name, ' ',
          h('span', { class: 'role' }, me.user.role)),
        h('button', { type: 'button', class: 'btn small', onclick: signOut }, 'Sign out'))),
    main);
  return main;
}

function setLiveState(state) {
  if (!liveBadge) return;
  const text = { live: 'Live', connecting: 'Connecting…', polling: 'Polling every 30 s' }[state] || state;
  liveBadge.textContent = text;
  liveBadge.className = `live-badge ${state}`;
}

async function render() {
  unmount?.();
  unmount = null;
  const route = ROUTES.find((r) => r.pattern.test(location.pathname));
  if (!route) return navigate('/admin/sync/health', { replace: true });
  document.title = `${route.title} · snapq`;
  const match = location.pathname.match(route.pattern);
  const ctx = {
    navigate,
    params: route.params ? route.params(match) : {},
    query: new URLSearchParams(location.search),
    onSignedIn: (who) => { me = who; },
  };
  if (route.bare) {
    unmount = await route.page.mount(app, ctx);
    return;
  }
  if (!me) {
    clear(app, loading());
    try {
      me = await api('GET', '/api/v1/me');
    } catch (e) {
      if (e.status === 401) return;  // api() is on its way to /login
      clear(app, errorBox(e, render));
      return;
    }
  }
  if (!live) live = new Live(setLiveState);
  const main = shell(route);
  Object.assign(ctx, {
    me,
    can: (permission) => me.permissions.includes(permission),
    live,
    setTitle: (title) => { document.title = `${title} · snapq`; },
  });
  try {
    unmount = await route.page.mount(main, ctx);
  } catch (e) {
    clear(main, errorBox(e, render));
  }
}

render();
