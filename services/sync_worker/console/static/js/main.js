// The console's shell: login gate, header with menu, language switch and Uitloggen, and a
// hash router (#/status, #/logboek?niveau=warning …) that renders one screen into <main>.

import { api, credentials, whenKeyExpires } from './api.js';
import { language, setLanguage, t } from './i18n.js';
import { h } from './ui.js';
import * as activate from './screens/activate.js';
import * as invoices from './screens/invoices.js';
import * as log from './screens/log.js';
import * as login from './screens/login.js';
import * as settings from './screens/settings.js';
import * as status from './screens/status.js';

const SCREENS = {
  activeren: { module: activate, label: 'nav.activate' },
  status: { module: status, label: 'nav.status' },
  logboek: { module: log, label: 'nav.log' },
  facturen: { module: invoices, label: 'nav.invoices' },
  instellingen: { module: settings, label: 'nav.settings' },
};

let current = { leave: [] };
let pendingNotice = null;

function route() {
  const hash = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
  const [name, query = ''] = hash.split('?');
  return { name, params: new URLSearchParams(query) };
}

export function navigate(name, params = {}) {
  const query = new URLSearchParams(params).toString();
  const target = `#/${name}${query ? `?${query}` : ''}`;
  if (location.hash === target) render();
  else location.hash = target;
}

// The screens a user of this integration state can open (the checklist until the first
// activation; status and settings once it was ever active).
function available(integration) {
  const ever = !integration.first_activation;
  return Object.keys(SCREENS).filter((name) => {
    if (name === 'activeren') return integration.first_activation || integration.state === 'inactive';
    if (name === 'status' || name === 'instellingen') return ever;
    return true;
  });
}

function header(screens, active) {
  const nav = credentials.key
    ? h('nav', { 'aria-label': t('app.nav') }, h('ul', {}, screens.map((name) => h('li', {},
      h('a', { href: `#/${name}`, 'aria-current': name === active ? 'page' : null }, t(SCREENS[name].label))))))
    : null;
  const switchLanguage = h('button', {
    type: 'button', class: 'link-button', lang: t('app.languageCode'),
    onclick: () => { setLanguage(t('app.languageCode')); render(); },
  }, t('app.language'));
  const logout = credentials.key
    ? h('button', { type: 'button', class: 'link-button', onclick: () => leave('login.loggedOut') }, t('app.logout'))
    : null;
  return h('header', { class: 'top' },
    h('a', { class: 'skip', href: '#main', onclick: (event) => { event.preventDefault(); document.getElementById('main').focus(); } }, t('app.skip')),
    h('p', { class: 'brand' }, t('app.title')),
    nav,
    h('div', { class: 'tools' }, switchLanguage, logout));
}

function leave(noticeKey, kind = 'info') {
  credentials.forget();
  pendingNotice = { text: t(noticeKey), kind };
  history.replaceState(null, '', location.pathname);
  render();
}

export function notify(text, kind = 'info') {
  const slot = document.getElementById('notices');
  if (!slot) return;
  const node = kind === 'error'
    ? h('div', { class: 'alert', role: 'alert' }, text)
    : h('p', { class: `notice notice-${kind}` }, text);
  slot.replaceChildren(node);
}

// Rompslomp sends the browser back to /console/?rompslomp=connected|error&code=…
function returnFromRompslomp() {
  const query = new URLSearchParams(location.search);
  const outcome = query.get('rompslomp');
  if (!outcome) return;
  const code = query.get('code') || '';
  if (outcome === 'connected') pendingNotice = { text: t('connect.returned'), kind: 'success' };
  else if (code === 'access_denied') pendingNotice = { text: t('connect.error.access_denied'), kind: 'error' };
  else if (code.startsWith('state_') || code === 'invalid_state') pendingNotice = { text: t('connect.error.expired'), kind: 'error' };
  else pendingNotice = { text: t('connect.error.other', { code }), kind: 'error' };
  history.replaceState(null, '', location.pathname + location.hash);
}

export async function render() {
  for (const stop of current.leave) stop();
  current = { leave: [] };
  document.documentElement.lang = language();
  const app = document.getElementById('app');
  const main = h('main', { id: 'main', tabindex: '-1' });
  const notices = h('div', { id: 'notices', role: 'status', 'aria-live': 'polite' });
  if (!credentials.key) {
    app.replaceChildren(header([], null), notices, main);
    document.title = `${t('login.title')} · ${t('app.title')}`;
    login.render({ main, onLogin: render });
    flushNotice();
    return;
  }
  let integration;
  try {
    integration = await api('GET', '');
  } catch (error) {
    app.replaceChildren(header([], null), notices, main);
    main.append(h('div', { class: 'alert', role: 'alert' }, error.describe()));
    return;
  }
  const screens = available(integration);
  let { name, params } = route();
  if (!screens.includes(name)) {
    name = integration.first_activation ? 'activeren' : 'status';
    history.replaceState(null, '', `${location.pathname}#/${name}`);
    params = new URLSearchParams();
  }
  app.replaceChildren(header(screens, name), notices, main);
  document.title = `${t(SCREENS[name].label)} · ${t('app.title')}`;
  flushNotice();
  const context = {
    main, params, integration, navigate, notify, render, noticeForNext,
    onLeave: (stop) => current.leave.push(stop),
  };
  await SCREENS[name].module.render(context);
  const title = main.querySelector('h1');
  if (title && !document.querySelector('dialog[open]')) {
    title.tabIndex = -1;
    title.focus({ preventScroll: true });
  }
}

function flushNotice() {
  if (pendingNotice) notify(pendingNotice.text, pendingNotice.kind);
  pendingNotice = null;
}

// Success notices of one screen that lead to another (e.g. saved → status).
export function noticeForNext(text, kind = 'success') {
  pendingNotice = { text, kind };
}

whenKeyExpires(() => leave('login.expired', 'error'));
window.addEventListener('hashchange', () => { if (location.hash.startsWith('#/')) render(); });
returnFromRompslomp();
render();
