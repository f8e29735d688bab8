/* Planer-Arbeitsbereich /planung – the shell every section page runs on: window.Planung.
 *
 * Contract (WORKSPACE.md): Planung.token(), Planung.api(path, opts), Planung.me(),
 * Planung.lang, Planung.t(de, en), Planung.say(message, kind). Extras: Planung.ready (a
 * Promise of the signed-in account, resolved once the page may be used), Planung.link(path),
 * Planung.setCount(section, n), Planung.signIn(token), Planung.signOut(), Planung.config.
 *
 * The token lives in sessionStorage['karte-token'] (the key of the map pages: signed in here
 * is signed in on /maps) and travels only in the Authorization header — no cookies. The
 * navigation and the "no access" panel follow the role from /api/auth/me; the API enforces
 * the rights, hiding only keeps the page honest.
 */
(function () {
  'use strict';
  const TOKEN_KEY = 'karte-token';
  const LANG_KEY = 'karte-lang';
  const cfgNode = document.getElementById('ws-config');
  const cfg = cfgNode ? JSON.parse(cfgNode.textContent) : { lang: 'de', roles: [], signin: '/planung/anmelden' };

  /* Language: ?lang=… wins and is remembered; without it a remembered English reloads once. */
  const params = new URLSearchParams(location.search);
  try {
    if (params.has('lang')) {
      localStorage.setItem(LANG_KEY, params.get('lang') === 'en' ? 'en' : 'de');
    } else if (localStorage.getItem(LANG_KEY) === 'en' && cfg.lang !== 'en') {
      params.set('lang', 'en');
      location.replace(location.pathname + '?' + params.toString() + location.hash);
    }
  } catch (e) { /* storage blocked: the URL alone decides */ }

  const lang = cfg.lang === 'en' ? 'en' : 'de';
  const t = (de, en) => (lang === 'en' ? en : de);

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function signIn(value) {
    sessionStorage.setItem(TOKEN_KEY, value);
    mePromise = null;
  }

  function forget() {
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing to forget */ }
    mePromise = null;
  }

  function link(path, query) {
    const q = new URLSearchParams(query || {});
    if (lang === 'en') q.set('lang', 'en');
    const s = q.toString();
    return s ? path + (path.includes('?') ? '&' : '?') + s : path;
  }

  function goSignIn() {
    const here = location.pathname + location.search + location.hash;
    location.assign(link(cfg.signin, { next: here }));
  }

  /* api(path, {method, json, form, raw, auth, headers}) → parsed JSON (or the Response). */
  async function api(path, opts) {
    const o = opts || {};
    const headers = Object.assign({ Accept: 'application/json' }, o.headers || {});
    const tok = token();
    if (tok && o.auth !== false) headers.Authorization = 'Bearer ' + tok;
    let body;
    if (o.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(o.json);
    } else if (o.form !== undefined) {
      body = o.form;  // FormData: the browser sets the multipart boundary
    }
    let response;
    try {
      response = await fetch(path, { method: o.method || (body ? 'POST' : 'GET'), headers, body });
    } catch (e) {
      const err = new Error(t('Keine Verbindung zum Server.', 'No connection to the server.'));
      err.status = 0;
      throw err;
    }
    if (response.status === 401 && o.auth !== false && o.redirect !== false) {
      forget();
      goSignIn();
    }
    if (o.raw && response.ok) return response;
    let parsed = null;
    const type = response.headers.get('content-type') || '';
    if (type.includes('json')) {
      try { parsed = await response.json(); } catch (e) { parsed = null; }
    }
    if (!response.ok) {
      const msg = parsed && (lang === 'en' ? parsed.message_en : parsed.message_de);
      const err = new Error(msg || t('Fehler ', 'Error ') + response.status);
      err.status = response.status;
      err.body = parsed;
      throw err;
    }
    return parsed;
  }

  let mePromise = null;
  function me() {
    if (!mePromise) {
      mePromise = api('/api/auth/me');
      mePromise.catch(() => { mePromise = null; });
    }
    return mePromise;
  }

  function say(message, kind) {
    const box = document.getElementById('ws-status');
    if (!box) return;
    box.classList.toggle('ws-error', kind === 'error');
    box.textContent = '';
    // a fresh text node after a tick, so the same message twice is announced twice
    setTimeout(() => { box.textContent = message; }, 30);
  }

  function setCount(section, n) {
    const badge = document.getElementById('ws-count-' + section);
    if (!badge) return;
    if (n === null || n === undefined) { badge.hidden = true; return; }
    badge.hidden = false;
    badge.querySelector('.ws-count-n').textContent = String(n);
  }

  async function signOut() {
    try { await api('/api/auth/logout', { method: 'POST', redirect: false }); } catch (e) { /* gone anyway */ }
    forget();
    location.assign(link(cfg.signin, { bye: '1' }));
  }

  let resolveReady;
  const ready = new Promise((resolve) => { resolveReady = resolve; });

  function allowed(roles, role) {
    return !roles || roles.length === 0 || roles.includes(role);
  }

  function showShell(account) {
    const who = document.getElementById('ws-who');
    if (who) {
      who.textContent = account.display_name + ' (' + roleLabel(account.role) + ')';
      who.hidden = false;
    }
    for (const li of document.querySelectorAll('#ws-nav [data-roles]')) {
      li.hidden = !allowed(li.dataset.roles.split(' '), account.role);
    }
    const nav = document.getElementById('ws-nav');
    if (nav) nav.hidden = account.role === 'field';
    const out = document.getElementById('ws-signout');
    if (out) { out.hidden = false; out.addEventListener('click', signOut); }
  }

  function roleLabel(role) {
    return {
      field: t('Erfassung', 'field team'), planner: t('Planung', 'planner'),
      admin: t('Verwaltung', 'admin'),
    }[role] || role;
  }

  function noAccess() {
    const content = document.getElementById('ws-content');
    const panel = document.getElementById('ws-noaccess');
    if (content) content.hidden = true;
    if (panel) panel.hidden = false;
    document.documentElement.dataset.planung = 'no-access';
  }

  async function loadWaiting() {
    try {
      const summary = await api('/api/workspace/summary');
      setCount('freigabe', summary.total.waiting);
    } catch (e) { /* the badge stays hidden */ }
  }

  async function start() {
    if (!cfg.roles || cfg.roles.length === 0) {  // public page (sign-in)
      document.documentElement.dataset.planung = 'ready';
      resolveReady(null);
      return;
    }
    if (!token()) { goSignIn(); return; }
    let account;
    try {
      account = await me();
    } catch (e) {
      if (e.status !== 401) say(e.message, 'error');
      return;
    }
    showShell(account);
    if (!allowed(cfg.roles, account.role)) { noAccess(); return; }
    if (account.role !== 'field') loadWaiting();
    document.documentElement.dataset.planung = 'ready';
    resolveReady(account);
  }

  window.Planung = {
    config: cfg, lang, t, token, api, me, say, ready, link, setCount, signIn, signOut,
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
