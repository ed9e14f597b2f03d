// Entry point: checks the session, shows the sign-in form or the console,
// and routes between views with the URL fragment (#/buckets, #/b/NAME/PREFIX,
// #/s/NAME, #/dashboard, #/iam/TAB, #/keys).

import { call, can, adminPath, setSession, whenSignedOut, ApiError } from './api.js';
import { h, icon, replace, button, toast } from './ui.js';
import * as buckets from './buckets.js';
import * as browser from './browser.js';
import * as dashboard from './dashboard.js';
import * as iam from './iam.js';
import * as settings from './settings.js';
import * as svcaccts from './svcaccts.js';
import { uploads } from './uploads.js';
import { parseRoute } from './routes.js';

const app = document.getElementById('app');
let session = null;
let current = null; // {dispose}
let main = null;
let firstRoute = true;

function showLogin(message) {
  session = null;
  setSession(null);
  if (current && current.dispose) current.dispose();
  current = null;
  main = null;
  document.title = 'Sign in · Hoard';
  const err = h('p', { class: 'form-error', id: 'login-error', role: 'alert' });
  const access = h('input', { id: 'access-key', name: 'accessKey', autocomplete: 'username', required: true, spellcheck: 'false', autocapitalize: 'none' });
  const secret = h('input', { id: 'secret-key', name: 'secretKey', type: 'password', autocomplete: 'current-password', required: true });
  const reveal = button('Show secret key', {
    iconName: 'eye', iconOnly: true, cls: 'btn btn-ghost reveal',
    attrs: { 'aria-pressed': 'false', 'aria-controls': 'secret-key' },
    onclick: () => {
      const shown = secret.type === 'text';
      secret.type = shown ? 'password' : 'text';
      reveal.setAttribute('aria-pressed', String(!shown));
    },
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'login-submit' }, 'Sign in');
  const form = h('form', { class: 'login-form', 'aria-describedby': 'login-error', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'access-key' }, 'Access key'), access),
    h('div', { class: 'field' }, h('label', { for: 'secret-key' }, 'Secret key'), h('div', { class: 'input-with-button' }, secret, reveal)),
    err, submit);
  if (message) err.textContent = message;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!access.value.trim() || !secret.value) {
      err.textContent = 'Enter both the access key and the secret key.';
      (access.value.trim() ? secret : access).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    err.textContent = '';
    try {
      const s = await call('POST', '/api/login', { accessKey: access.value.trim(), secretKey: secret.value });
      secret.value = '';
      startApp(s);
    } catch (ex) {
      err.textContent = ex instanceof ApiError ? ex.message : 'Signing in failed.';
      secret.select();
      secret.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  const sso = h('div', { class: 'login-sso', id: 'login-sso', hidden: true });
  replace(app, h('main', { class: 'login', id: 'main' },
    h('section', { class: 'login-card', 'aria-labelledby': 'login-title' },
      h('div', { class: 'login-brand' }, icon('logo', 'logo'), h('span', {}, 'Hoard')),
      h('h1', { id: 'login-title' }, 'Sign in to your object store'),
      sso,
      h('p', { class: 'muted' }, 'Use the access key and secret key of your S3 account. The secret key stays on the server for this session only.'),
      form)));
  access.focus();
  // Single sign-on, when the server offers it; a failed one comes back
  // here with its reason in the address.
  const params = new URLSearchParams(window.location.search);
  if (params.has('sso_error')) {
    err.textContent = params.get('sso_error');
    window.history.replaceState(null, '', window.location.pathname + window.location.hash);
  }
  call('GET', '/api/sso').then((info) => {
    if (!info.enabled) return;
    replace(sso, h('a', { class: 'btn btn-primary btn-block', href: '/sso/start', id: 'login-sso-start' }, `Sign in with ${info.name}`),
      h('p', { class: 'muted login-or' }, 'or with keys:'));
    sso.hidden = false;
  }).catch(() => {});
}

function shell() {
  const nav = h('nav', { class: 'mainnav', 'aria-label': 'Main' },
    h('a', { href: '#/buckets', dataset: { view: 'buckets' } }, icon('bucket'), h('span', {}, 'Buckets')),
    session.admin ? h('a', { href: '#/dashboard', dataset: { view: 'dashboard' } }, icon('dashboard'), h('span', {}, 'Capacity & cost')) : null,
    session.iamTabs.length ? h('a', { href: `#/iam/${session.iamTabs[0]}`, dataset: { view: 'iam' }, id: 'nav-iam' }, icon('users'), h('span', {}, 'Identity & access')) : null,
    session.selfKeys ? h('a', { href: '#/keys', dataset: { view: 'keys' }, id: 'nav-keys' }, icon('key'), h('span', {}, 'Access keys')) : null);
  const signOut = button('Sign out', { iconName: 'logout', cls: 'btn btn-ghost', onclick: logout, attrs: { id: 'sign-out' } });
  main = h('main', { id: 'main', class: 'content', tabindex: '-1' });
  replace(app,
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/buckets' }, icon('logo', 'logo'), h('span', {}, 'Hoard')),
      nav,
      h('div', { class: 'user' }, h('span', { class: 'user-key', title: 'Signed in as' }, icon('server'), h('span', { class: 'truncate', id: 'user-name' }, session.user || session.accessKey)), signOut)),
    main,
    uploads.panel());
}

async function logout() {
  if (uploads.active() > 0 && !window.confirm('Uploads are still running. Sign out and cancel them?')) return;
  uploads.cancelAll();
  try {
    await call('POST', '/api/logout');
  } catch {
    // the session is gone either way
  }
  showLogin();
  const status = document.getElementById('login-error');
  status.classList.add('form-ok');
  status.textContent = 'You are signed out.';
}

// IAM_ACTIONS are the admin actions that open each identity page.
const IAM_ACTIONS = { users: 'admin:ListUsers', groups: 'admin:ListGroups', policies: 'admin:ListUserPolicies', svcaccts: 'admin:ListServiceAccounts' };

async function startApp(s) {
  session = s;
  setSession(s);
  // The server says which identity pages this user may open; without an
  // answer there are none (the menu shows only what would work).
  const tabs = Object.keys(IAM_ACTIONS);
  const allowed = (await can(tabs.map((t) => ({ action: IAM_ACTIONS[t] })))) || [];
  session.iamTabs = tabs.filter((_, i) => allowed[i]);
  // A user may manage its own service accounts without admin rights; the
  // server answering the listing is what says so (a service account may
  // not, the root user has the identity pages).
  session.selfKeys = false;
  if (!session.iamTabs.includes('svcaccts')) {
    try {
      await call('GET', adminPath('iam/svcaccts'));
      session.selfKeys = true;
    } catch {
      // not allowed here: no "Access keys" page
    }
  }
  shell();
  route();
}

async function route() {
  if (!session) return;
  const r = parseRoute(location.hash);
  if ((r.view === 'dashboard' && !session.admin) || (r.view === 'iam' && !session.iamTabs.includes(r.tab)) || (r.view === 'keys' && !session.selfKeys)) {
    location.hash = '#/buckets';
    return;
  }
  if (current && current.dispose) current.dispose();
  for (const a of document.querySelectorAll('.mainnav a')) {
    if (a.dataset.view === (r.view === 'browser' || r.view === 'settings' ? 'buckets' : r.view)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const keys = { show: (root, _r, ctx) => svcaccts.show(root, { ...ctx, selfOnly: true }) };
  const view = { buckets, browser, dashboard, iam, settings, keys }[r.view];
  current = (await view.show(main, r, { session })) || null;
  if (!firstRoute) {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }
  firstRoute = false;
}

whenSignedOut(() => {
  if (session) showLogin('Your session has ended. Please sign in again.');
});
window.addEventListener('hashchange', route);
document.addEventListener('click', (e) => {
  const skip = e.target.closest('.skip');
  if (skip) {
    e.preventDefault();
    const m = document.getElementById('main');
    if (m) {
      m.tabIndex = -1;
      m.focus();
    }
  }
});
window.addEventListener('beforeunload', (e) => {
  if (uploads.active() > 0) e.preventDefault();
});

// The browser tests and curious operators can reach the upload manager.
window.hoardConsole = { uploads };

(async () => {
  try {
    startApp(await call('GET', '/api/session'));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) showLogin();
    else {
      showLogin('The console server cannot be reached.');
      toast(e.message, 'error');
    }
  }
})();
