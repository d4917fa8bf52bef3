// /login: the session sign-in (POST /api/v1/session); back to ?next= after.
import { api, setCsrfToken } from '../api.js';
import { h, clear } from '../dom.js';

// Only a path of this app may be the target, never another site.
function nextTarget(query) {
  const next = query.get('next') || '';
  return next.startsWith('/admin/') ? next : '/admin/sync/health';
}

export function mount(root, ctx) {
  const error = h('p', { class: 'error-box', role: 'alert', hidden: true });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Sign in');
  const form = h('form', { class: 'login-form', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Sign in to snapq'),
    h('label', { for: 'username' }, 'User name'), username,
    h('label', { for: 'password' }, 'Password'), password,
    error, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    error.hidden = true;
    try {
      const who = await api('POST', '/api/v1/session', { username: username.value, password: password.value },
        { redirectOn401: false });
      setCsrfToken(who.csrf_token);
      ctx.onSignedIn({ user: who.user, permissions: who.permissions });
      ctx.navigate(nextTarget(ctx.query), { replace: true });
    } catch (err) {
      error.textContent = err.status === 401 ? 'The user name or the password is wrong.' : err.message;
      error.hidden = false;
      submit.disabled = false;
      submit.textContent = 'Sign in';
      password.select();
    }
  });
  clear(root, h('main', { id: 'main', class: 'login-page' }, form));
  username.focus();
}
