// The action-items page: every open action item (incidents' and standalone lists'), grouped by
// owner, owners with overdue items first and each owner's overdue items first; filter by tag
// and owner (also from ?tag= and ?owner=, as the digest links); "Done" marks an item done in
// place, with an undo.
'use strict';
(function () {
  const S = window.Sitrep;
  const { h, $ } = S;
  const PAGE = 200;
  const PAGES_MAX = 20;
  const TAG = /^[a-z0-9][a-z0-9._:-]{0,63}$/i;

  let generation = 0;

  function todayUtc() {
    return new Date().toISOString().slice(0, 10);
  }

  function daysBetween(from, to) {
    return Math.round((Date.parse(to + 'T00:00:00Z') - Date.parse(from + 'T00:00:00Z')) / 86400000);
  }

  function dueText(item, today) {
    if (!item.dueDate) return 'no due date';
    const days = daysBetween(today, item.dueDate);
    if (item.status === 'open' && days < 0) return 'due ' + item.dueDate + ' · ' + -days + (days === -1 ? ' day' : ' days') + ' overdue';
    if (days === 0) return 'due today';
    if (days === 1) return 'due tomorrow';
    return 'due ' + item.dueDate + ' · in ' + days + ' days';
  }

  function filters() {
    const params = new URLSearchParams(location.search);
    return { tag: (params.get('tag') || '').trim(), owner: (params.get('owner') || '').trim() };
  }

  async function loadAll(f) {
    const items = [];
    let cursor = null;
    for (let page = 0; page < PAGES_MAX; page++) {
      const q = new URLSearchParams({ status: 'open', limit: String(PAGE) });
      if (f.tag) q.set('tag', f.tag);
      if (f.owner) q.set('owner', f.owner);
      if (cursor) q.set('cursor', cursor);
      const res = await S.api('GET', '/api/v1/action-items?' + q.toString());
      items.push(...res.items);
      cursor = res.nextCursor;
      if (!cursor) break;
    }
    return items;
  }

  function groupByOwner(items) {
    const groups = new Map();
    for (const item of items) {
      const key = item.owner || '';
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(item);
    }
    const list = [...groups.entries()].map(([owner, list]) => ({
      owner,
      // The API answers soonest due first: overdue ones lead each owner's list already.
      items: list,
      overdue: list.filter((i) => i.overdue).length,
    }));
    list.sort(
      (a, b) =>
        (b.overdue > 0) - (a.overdue > 0) ||
        (a.owner === '') - (b.owner === '') ||
        b.overdue - a.overdue ||
        a.owner.localeCompare(b.owner),
    );
    return list;
  }

  /** id → {number, title} of the incidents the items follow up (one read each per load). */
  let incidentNames = new Map();

  function incidentLink(id) {
    const known = incidentNames.get(id);
    const text = known ? '#' + known.number + ' ' + known.title : 'incident';
    return h('a', { class: 'ai-incident', href: '/incidents/' + encodeURIComponent(id) }, text);
  }

  async function loadIncidentNames(items) {
    const ids = [...new Set(items.map((i) => i.incidentId).filter(Boolean))].filter((id) => !incidentNames.has(id));
    const found = await Promise.all(
      ids.map((id) => S.api('GET', '/api/v1/incidents/' + encodeURIComponent(id)).catch(() => null)),
    );
    for (const incident of found) if (incident) incidentNames.set(incident.id, { number: incident.number, title: incident.title });
  }

  function tagLink(tag) {
    return h('a', { class: 'ai-tag', href: '/action-items?tag=' + encodeURIComponent(tag), dataset: { tag } }, '#' + tag);
  }

  function itemRow(item, today) {
    const button = h('button', { type: 'button', class: 'ai-done' }, 'Done');
    const row = h(
      'li',
      { class: 'ai-item' + (item.overdue ? ' overdue' : ''), dataset: { id: item.id, status: item.status } },
      h('span', { class: 'ai-title' }, item.title),
      h(
        'span',
        { class: 'ai-facts' },
        h('span', { class: 'ai-due' }, dueText(item, today)),
        item.incidentId ? incidentLink(item.incidentId) : null,
        (item.tags || []).map(tagLink),
      ),
      button,
    );
    button.setAttribute('aria-label', 'Mark “' + item.title + '” done');
    button.addEventListener('click', () => toggle(item, row, button));
    return row;
  }

  async function toggle(item, row, button) {
    const next = item.status === 'open' ? 'done' : 'open';
    button.disabled = true;
    try {
      const updated = await S.api('PATCH', '/api/v1/action-items/' + encodeURIComponent(item.id), { status: next });
      Object.assign(item, updated);
      row.dataset.status = item.status;
      row.classList.toggle('done', item.status === 'done');
      row.classList.toggle('overdue', !!item.overdue);
      button.textContent = item.status === 'done' ? 'Undo' : 'Done';
      button.setAttribute('aria-label', (item.status === 'done' ? 'Reopen “' : 'Mark “') + item.title + (item.status === 'done' ? '”' : '” done'));
      row.querySelector('.ai-due').textContent = dueText(item, todayUtc());
      S.announce('“' + item.title + '” is ' + (item.status === 'done' ? 'done' : 'open again') + '.');
      updateCount();
      S.showError($('items-error'), '');
    } catch (error) {
      if (error && error.status === 401) return;
      S.showError($('items-error'), 'Could not update “' + item.title + '”: ' + (error && error.message ? error.message : String(error)));
    } finally {
      button.disabled = false;
    }
  }

  function updateCount() {
    const open = document.querySelectorAll('.ai-item[data-status="open"]').length;
    $('item-count').textContent = '(' + open + ')';
  }

  function render(items) {
    const today = todayUtc();
    const groups = groupByOwner(items);
    $('owners').replaceChildren(
      ...groups.map((group) =>
        h(
          'section',
          { class: 'ai-owner', dataset: { owner: group.owner }, 'aria-label': group.owner || 'No owner' },
          h(
            'h2',
            {},
            group.owner ? h('span', {}, group.owner) : h('span', { class: 'muted' }, 'No owner'),
            h('span', { class: 'count' }, '(' + group.items.length + ')'),
            group.overdue ? h('span', { class: 'ai-overdue-count' }, group.overdue + ' overdue') : null,
          ),
          h('ul', { class: 'ai-list' }, group.items.map((item) => itemRow(item, today))),
        ),
      ),
    );
    $('items-empty').hidden = items.length > 0;
    updateCount();
    const tags = new Set(items.flatMap((i) => i.tags || []));
    $('known-tags').replaceChildren(...[...tags].sort().map((t) => h('option', { value: t })));
  }

  async function load(gen) {
    const f = filters();
    $('filter-tag').value = f.tag;
    $('filter-owner').value = f.owner;
    const items = await loadAll(f);
    await loadIncidentNames(items);
    if (gen !== generation) return;
    render(items);
    S.showError($('items-error'), '');
    document.body.dataset.loaded = String(Date.now());
  }

  function failed(error) {
    if (error && error.status === 401) return;
    S.showError($('items-error'), 'Could not load action items: ' + (error && error.message ? error.message : String(error)));
  }

  function applyFilters(event) {
    event.preventDefault();
    const tag = $('filter-tag').value.trim();
    const owner = $('filter-owner').value.trim();
    if (tag && !TAG.test(tag)) {
      $('filter-tag').setAttribute('aria-invalid', 'true');
      S.showError($('filter-error'), 'A tag has no spaces: letters, digits, ".", "_", ":" or "-".');
      return;
    }
    $('filter-tag').removeAttribute('aria-invalid');
    S.showError($('filter-error'), '');
    const q = new URLSearchParams();
    if (tag) q.set('tag', tag);
    if (owner) q.set('owner', owner);
    history.pushState(null, '', '/action-items' + (q.toString() ? '?' + q.toString() : ''));
    start();
  }

  function start() {
    const gen = ++generation;
    load(gen).catch(failed);
  }

  function stop() {
    generation++;
  }

  $('filter-form').addEventListener('submit', applyFilters);
  $('filter-clear').addEventListener('click', () => {
    history.pushState(null, '', '/action-items');
    S.showError($('filter-error'), '');
    start();
  });
  window.addEventListener('popstate', () => start());
  S.boot({ start, stop });
})();
