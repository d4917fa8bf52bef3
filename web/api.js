// The one way the UI reaches data: the JSON API under /api/v1 (docs/API.md).
// Writes carry the session's CSRF token; a 401 anywhere goes back to /login.

const CSRF_KEY = 'snapq.csrf';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

export function setCsrfToken(token) {
  if (token) localStorage.setItem(CSRF_KEY, token);
  else localStorage.removeItem(CSRF_KEY);
}

export function loginUrl() {
  const here = location.pathname + location.search;
  return here.startsWith('/login') ? '/login' : '/login?next=' + encodeURIComponent(here);
}

export async function api(method, path, body, { headers = {}, redirectOn401 = true } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = localStorage.getItem(CSRF_KEY);
    if (csrf) h['X-CSRF-Token'] = csrf;
  }
  let response;
  try {
    response = await fetch(path, {
      method, headers: h, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'the server cannot be reached (' + e.message + ')');
  }
  if (response.status === 401 && redirectOn401) {
    location.assign(loginUrl());
    throw new ApiError(401, 'unauthenticated', 'your session has ended; sign in again');
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    if (!response.ok) throw new ApiError(response.status, 'http', `the server answered ${response.status}`);
    return null;
  }
  if (!response.ok) {
    const e = data?.error || {};
    throw new ApiError(response.status, e.code || 'http', e.message || `the server answered ${response.status}`, e.details);
  }
  return data;
}

export const get = (path) => api('GET', path);

// "/api/v1/jobs" + {service: 'sim', q: ''} -> "/api/v1/jobs?service=sim" (empty values left out).
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

// The job-change stream (/api/v1/events), shared by every page; polling every
// 30 s stands in while the stream is down.
export class Live {
  constructor(onState) {
    this.listeners = new Set();
    this.onState = onState;
    this.timer = setInterval(() => { if (this.state !== 'live') this.emit(null); }, 30000);
    this.connect();
  }

  connect() {
    this.source = new EventSource('/api/v1/events');
    this.setState('connecting');
    this.source.addEventListener('open', () => this.setState('live'));
    this.source.addEventListener('job', (e) => {
      let job = null;
      try { job = JSON.parse(e.data); } catch { return; }
      this.emit(job);
    });
    this.source.addEventListener('error', () => this.setState(this.source.readyState === 2 ? 'polling' : 'connecting'));
  }

  setState(state) {
    this.state = state;
    this.onState?.(state);
  }

  // fn(job) on each change; fn(null) on a polling tick. Returns the unsubscribe.
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(job) {
    for (const fn of [...this.listeners]) {
      try { fn(job); } catch (e) { console.error(e); }
    }
  }

  close() {
    clearInterval(this.timer);
    this.source?.close();
  }
}
