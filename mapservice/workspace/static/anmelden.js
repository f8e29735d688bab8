/* Sign-in page: password or token → sessionStorage['karte-token'], then back to ?next=. */
(function () {
  'use strict';
  const P = window.Planung;
  const params = new URLSearchParams(location.search);
  const errorBox = document.getElementById('login-error');

  /* Only a path of this service is a place to go back to (no //host, no scheme). */
  function nextUrl() {
    const next = params.get('next') || '';
    const ok = /^\/(planung|maps)(\/|\?|#|$)/.test(next) && !next.startsWith('//');
    if (!ok) return P.link('/planung');
    return /[?&]lang=/.test(next) || next.includes('#') ? next : P.link(next);  // keep the language
  }

  function showError(message, field) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    P.say(message, 'error');
    if (field) field.focus();
  }

  async function send(body, form, firstField) {
    errorBox.hidden = true;
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const result = await P.api('/api/auth/login', { method: 'POST', json: body, auth: false });
      P.signIn(result.token);
      P.say(P.t('Angemeldet.', 'Signed in.'));
      location.assign(nextUrl());
    } catch (e) {
      showError(e.message, firstField);
    } finally {
      button.disabled = false;
    }
  }

  document.getElementById('login-password').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const account = document.getElementById('login-account');
    const password = document.getElementById('login-pw');
    if (!account.value.trim()) {
      showError(P.t('Bitte das Konto angeben.', 'Please enter the account.'), account); return;
    }
    if (!password.value) {
      showError(P.t('Bitte das Passwort angeben.', 'Please enter the password.'), password); return;
    }
    send({ account: account.value.trim(), password: password.value }, ev.target, password);
  });

  document.getElementById('login-token').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = document.getElementById('login-token-input');
    if (!input.value.trim()) {
      showError(P.t('Bitte ein Token angeben.', 'Please enter a token.'), input); return;
    }
    send({ token: input.value.trim() }, ev.target, input);
  });

  if (params.get('bye') === '1') document.getElementById('login-bye').hidden = false;

  /* Already signed in in this tab: say as whom and offer to go on (a stale token is dropped). */
  if (P.token()) {
    P.api('/api/auth/me', { redirect: false }).then((me) => {
      const box = document.getElementById('login-current');
      box.querySelector('.login-who').textContent = me.display_name + ' (' + me.account + ')';
      box.querySelector('a').href = nextUrl();
      box.hidden = false;
    }).catch(() => { try { sessionStorage.removeItem('karte-token'); } catch (e) { /* none */ } });
  }
})();
