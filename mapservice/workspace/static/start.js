/* Start page: the waiting counts per quarter, and the admin card for admins. */
(function () {
  'use strict';
  const P = window.Planung;
  const fmt = new Intl.NumberFormat(P.lang === 'en' ? 'en-GB' : 'de-DE');

  function cell(text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  P.ready.then(async (account) => {
    for (const card of document.querySelectorAll('#start-sections [data-roles]')) {
      card.hidden = !card.dataset.roles.split(' ').includes(account.role);
    }
    const body = document.querySelector('#start-waiting tbody');
    let summary;
    try {
      summary = await P.api('/api/workspace/summary');
    } catch (e) {
      body.replaceChildren();
      P.say(e.message, 'error');
      return;
    }
    body.replaceChildren();
    if (!summary.quarters.length) {
      const tr = document.createElement('tr');
      const td = cell(P.t('Keine Quartiere.', 'No quarters.'));
      td.colSpan = 5;
      tr.append(td);
      body.append(tr);
    }
    for (const q of summary.quarters) {
      const tr = document.createElement('tr');
      tr.dataset.quarter = q.slug;
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = q.name + (q.city ? ' (' + q.city + ')' : '');
      const go = document.createElement('td');
      const a = document.createElement('a');
      a.href = P.link('/planung/freigabe', { quarter: q.slug });
      a.textContent = P.t('Prüfen', 'Review');
      a.setAttribute('aria-label', P.t('Prüfen: ', 'Review: ') + q.name);
      go.append(a);
      tr.append(th, cell(fmt.format(q.observations), 'num'), cell(fmt.format(q.findings), 'num'),
        cell(fmt.format(q.photos), 'num'), go);
      body.append(tr);
    }
    document.documentElement.dataset.startLoaded = '1';
  });
})();
