/* Verwaltung (/planung/verwaltung): accounts, tokens and quarters through /api/admin.
 * Every change goes to the API at once and is announced in the live region; the tables are
 * re-read afterwards, so what the page shows is what the database holds. */
(function () {
  'use strict';
  const P = window.Planung;
  const t = P.t;
  const $ = (sel) => document.querySelector(sel);
  const dateFmt = new Intl.DateTimeFormat(P.lang === 'en' ? 'en-GB' : 'de-DE',
    { dateStyle: 'medium', timeStyle: 'short' });
  const numFmt = new Intl.NumberFormat(P.lang === 'en' ? 'en-GB' : 'de-DE');
  const ROLE = { field: t('Erfassung', 'Field team'), planner: t('Planung', 'Planner'), admin: t('Verwaltung', 'Admin') };
  const STATE = { active: t('gültig', 'active'), expired: t('abgelaufen', 'expired'), revoked: t('widerrufen', 'revoked') };
  const state = { accounts: [], quarters: [], editing: null, me: null };

  const when = (iso) => (iso ? dateFmt.format(new Date(iso)) : '–');

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  async function run(action, done) {
    try {
      const result = await action();
      if (done) P.say(typeof done === 'function' ? done(result) : done);
      return result;
    } catch (e) {
      P.say(e.message, 'error');
      return undefined;
    }
  }

  /* ---- accounts ------------------------------------------------------------------------ */
  function rightsText(a) {
    if (a.role === 'admin') return t('alles', 'everything');
    const parts = [];
    parts.push(a.layers === null ? t('alle Ebenen', 'all layers') : t('Ebenen: ', 'layers: ') + (a.layers.join(', ') || '–'));
    parts.push(a.quarters === null ? t('alle Quartiere', 'all quarters') : t('Quartiere: ', 'quarters: ') + (a.quarters.join(', ') || '–'));
    return parts.join(' · ');
  }

  async function loadAccounts() {
    const list = await run(() => P.api('/api/admin/accounts'));
    if (!list) return;
    state.accounts = list;
    const body = $('#accounts tbody');
    body.replaceChildren();
    for (const a of list) {
      const tr = el('tr', { 'data-account': a.name, class: a.disabled ? 'is-off' : '' });
      tr.append(
        el('th', { scope: 'row', text: a.name }),
        el('td', { text: a.display_name }),
        el('td', { text: ROLE[a.role] + (a.disabled ? ' – ' + t('gesperrt', 'disabled') : '') }),
        el('td', { text: rightsText(a) }),
        el('td', { text: a.has_password ? t('ja', 'yes') : t('nein', 'no') }),
        el('td', { class: 'num', text: numFmt.format(a.active_tokens) }),
        el('td', { text: when(a.last_used_at) }),
        el('td', {}, el('button', {
          type: 'button', class: 'btn', text: t('Bearbeiten', 'Edit'),
          'aria-label': t('Konto bearbeiten: ', 'Edit account: ') + a.name,
          onclick: () => openEdit(a.name),
        })),
      );
      body.append(tr);
    }
    const select = $('#token-account');
    const keep = select.value;
    select.replaceChildren(...list.map((a) => el('option', { value: a.name, text: a.name + ' (' + ROLE[a.role] + ')' })));
    if (keep) select.value = keep;
  }

  function fillQuarterChoices() {
    const box = $('#edit-quarter-list');
    box.replaceChildren(...state.quarters.map((q) => el('li', {}, el('label', {},
      el('input', { type: 'checkbox', name: 'quarter', value: q.slug }), ' ' + q.name + ' (' + q.slug + ')'))));
  }

  function setChoice(fieldset, mode, values) {
    fieldset.querySelector(`input[value="${mode}"]`).checked = true;
    for (const box of fieldset.querySelectorAll('.ws-choices input')) {
      box.checked = !!values && values.includes(box.value);
    }
    syncChoice(fieldset);
  }

  function syncChoice(fieldset) {
    const some = fieldset.querySelector('input[value="some"]').checked;
    for (const box of fieldset.querySelectorAll('.ws-choices input')) box.disabled = !some;
  }

  function readChoice(fieldset) {
    if (!fieldset.querySelector('input[value="some"]').checked) return null;
    return Array.from(fieldset.querySelectorAll('.ws-choices input:checked')).map((b) => b.value);
  }

  function openEdit(name) {
    const a = state.accounts.find((x) => x.name === name);
    if (!a) return;
    state.editing = name;
    $('#account-edit-name').textContent = name;
    $('#edit-display').value = a.display_name;
    $('#edit-role').value = a.role;
    $('#edit-disabled').checked = a.disabled;
    $('#edit-password').value = '';
    setChoice($('#edit-layers'), a.layers === null ? 'all' : 'some', a.layers);
    setChoice($('#edit-quarters'), a.quarters === null ? 'all' : 'some', a.quarters);
    const form = $('#account-edit');
    form.hidden = false;
    $('#edit-display').focus();
  }

  function closeEdit() {
    const name = state.editing;
    state.editing = null;
    $('#account-edit').hidden = true;
    const back = document.querySelector(`#accounts tr[data-account="${CSS.escape(name || '')}"] button`);
    if (back) back.focus();
  }

  async function saveEdit(ev) {
    ev.preventDefault();
    const name = state.editing;
    const layers = readChoice($('#edit-layers'));
    const quarters = readChoice($('#edit-quarters'));
    if ((layers && !layers.length) || (quarters && !quarters.length)) {
      P.say(t('Bei „nur diese“ bitte mindestens eine Ebene bzw. ein Quartier wählen.',
        'With “only these” please choose at least one layer or quarter.'), 'error');
      return;
    }
    const body = {
      display_name: $('#edit-display').value, role: $('#edit-role').value,
      disabled: $('#edit-disabled').checked, layers, quarters,
    };
    const saved = await run(() => P.api('/api/admin/accounts/' + encodeURIComponent(name), { method: 'PATCH', json: body }),
      t('Konto gespeichert: ', 'Account saved: ') + name);
    if (saved) await loadAccounts();
  }

  async function setPassword() {
    const name = state.editing;
    const input = $('#edit-password');
    const done = await run(() => P.api('/api/admin/accounts/' + encodeURIComponent(name) + '/password',
      { method: 'PUT', json: { password: input.value } }), t('Passwort gesetzt für ', 'Password set for ') + name);
    if (done) { input.value = ''; await loadAccounts(); } else input.focus();
  }

  async function createAccount(ev) {
    ev.preventDefault();
    const name = $('#new-name').value.trim();
    if (!name) { P.say(t('Bitte einen Kontonamen angeben.', 'Please enter an account name.'), 'error'); $('#new-name').focus(); return; }
    const password = $('#new-password').value;
    const body = { name, role: $('#new-role').value, display_name: $('#new-display').value };
    if (password) body.password = password;
    const made = await run(() => P.api('/api/admin/accounts', { method: 'POST', json: body }),
      t('Konto angelegt: ', 'Account created: ') + name);
    if (made) {
      ev.target.reset();
      await loadAccounts();
    }
  }

  /* ---- tokens -------------------------------------------------------------------------- */
  async function loadTokens() {
    const all = $('#tokens-all').checked ? '?all=true' : '';
    const list = await run(() => P.api('/api/admin/tokens' + all));
    if (!list) return;
    const body = $('#token-table tbody');
    body.replaceChildren();
    for (const tok of list) {
      const tr = el('tr', { 'data-token': String(tok.id), class: tok.state === 'active' ? '' : 'is-off' });
      const action = el('td');
      if (tok.state === 'active') {
        action.append(el('button', {
          type: 'button', class: 'btn btn-danger', text: t('Widerrufen', 'Revoke'),
          'aria-label': t('Token widerrufen: ', 'Revoke token: ') + tok.account + (tok.label ? ' – ' + tok.label : ''),
          onclick: () => revokeToken(tok),
        }));
      }
      tr.append(
        el('th', { scope: 'row', text: tok.account }),
        el('td', { text: tok.label || '–' }),
        el('td', { text: tok.kind === 'session' ? t('Anmeldung', 'sign-in') : 'API' }),
        el('td', { text: when(tok.created_at) }),
        el('td', { text: tok.expires_at ? when(tok.expires_at) : t('nie', 'never') }),
        el('td', { text: tok.last_used_at ? when(tok.last_used_at) : t('noch nie', 'never') }),
        el('td', { text: STATE[tok.state] }),
        action,
      );
      body.append(tr);
    }
  }

  async function createToken(ev) {
    ev.preventDefault();
    const body = { account: $('#token-account').value, label: $('#token-label').value, days: Number($('#token-days').value) };
    const made = await run(() => P.api('/api/admin/tokens', { method: 'POST', json: body }),
      t('Token erstellt für ', 'Token created for ') + body.account);
    if (!made) return;
    const box = $('#token-secret');
    box.hidden = false;
    const value = $('#token-secret-value');
    value.value = made.token;
    value.focus();
    value.select();
    await Promise.all([loadTokens(), loadAccounts()]);
  }

  async function revokeToken(tok) {
    const done = await run(() => P.api('/api/admin/tokens/' + tok.id + '/revoke', { method: 'POST' }),
      t('Token widerrufen: ', 'Token revoked: ') + tok.account + (tok.label ? ' – ' + tok.label : ''));
    if (done) {
      await Promise.all([loadTokens(), loadAccounts()]);
      $('#tokens-h').parentElement.focus();
    }
  }

  /* ---- quarters ------------------------------------------------------------------------ */
  async function loadQuarters() {
    const list = await run(() => P.api('/api/admin/quarters'));
    if (!list) return;
    state.quarters = list;
    const body = $('#quarter-table tbody');
    body.replaceChildren();
    for (const q of list) {
      const tr = el('tr', { 'data-quarter': q.slug });
      tr.append(
        el('th', { scope: 'row', text: q.slug }),
        el('td', { text: q.name }),
        el('td', { text: q.city }),
        el('td', { class: 'num', text: numFmt.format(q.area_km2) }),
        el('td', { class: 'num', text: numFmt.format(q.observations) }),
        el('td', { class: 'num', text: numFmt.format(q.findings) }),
        el('td', {}, el('button', {
          type: 'button', class: 'btn', text: t('Bearbeiten', 'Edit'),
          'aria-label': t('Quartier bearbeiten: ', 'Edit quarter: ') + q.name,
          onclick: () => {
            $('#quarter-slug').value = q.slug; $('#quarter-name').value = q.name; $('#quarter-city').value = q.city;
            $('#quarter-name').focus();
          },
        })),
      );
      body.append(tr);
    }
    fillQuarterChoices();
  }

  async function uploadQuarter(ev) {
    ev.preventDefault();
    const slug = $('#quarter-slug').value.trim();
    const file = $('#quarter-file').files[0];
    if (!slug || !$('#quarter-name').value.trim()) {
      P.say(t('Bitte Kürzel und Name angeben.', 'Please enter slug and name.'), 'error');
      (slug ? $('#quarter-name') : $('#quarter-slug')).focus();
      return;
    }
    if (!file) {
      P.say(t('Bitte eine Grenzdatei wählen (GeoJSON oder GeoPackage).', 'Please choose a boundary file (GeoJSON or GeoPackage).'), 'error');
      $('#quarter-file').focus();
      return;
    }
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('name', $('#quarter-name').value.trim());
    form.append('city', $('#quarter-city').value.trim());
    const saved = await run(() => P.api('/api/admin/quarters/' + encodeURIComponent(slug) + '/boundary', { method: 'POST', form }),
      (r) => (r.created ? t('Quartier angelegt: ', 'Quarter created: ') : t('Grenze ersetzt: ', 'Boundary replaced: ')) +
        r.name + ' (' + numFmt.format(r.area_km2) + ' km², EPSG:' + r.source_epsg + ')');
    if (saved) { ev.target.reset(); await loadQuarters(); }
  }

  async function renameQuarter() {
    const slug = $('#quarter-slug').value.trim();
    const body = { name: $('#quarter-name').value.trim() || null, city: $('#quarter-city').value.trim() || null };
    if (!slug) { P.say(t('Bitte das Kürzel angeben.', 'Please enter the slug.'), 'error'); $('#quarter-slug').focus(); return; }
    const saved = await run(() => P.api('/api/admin/quarters/' + encodeURIComponent(slug), { method: 'PATCH', json: body }),
      (r) => t('Quartier umbenannt: ', 'Quarter renamed: ') + r.name);
    if (saved) { $('#quarter-form').reset(); await loadQuarters(); }
  }

  P.ready.then(async (account) => {
    state.me = account;
    $('#account-edit').addEventListener('submit', saveEdit);
    $('#account-edit-close').addEventListener('click', closeEdit);
    $('#account-edit').addEventListener('keydown', (ev) => { if (ev.key === 'Escape') closeEdit(); });
    $('#edit-password-set').addEventListener('click', setPassword);
    for (const fs of [$('#edit-layers'), $('#edit-quarters')]) fs.addEventListener('change', () => syncChoice(fs));
    $('#account-new').addEventListener('submit', createAccount);
    $('#token-new').addEventListener('submit', createToken);
    $('#tokens-all').addEventListener('change', loadTokens);
    $('#quarter-form').addEventListener('submit', uploadQuarter);
    $('#quarter-rename').addEventListener('click', renameQuarter);
    await loadQuarters();
    await Promise.all([loadAccounts(), loadTokens()]);
    document.documentElement.dataset.adminLoaded = '1';
  });
})();
