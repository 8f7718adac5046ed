// The incident board: open incidents, worst severity then newest, kept live through the
// `*` subscription's `incident` snapshots; resolved ones fold into a collapsed section.
'use strict';
(function () {
  const S = window.Sitrep;
  const { h, $ } = S;
  const OPEN_STATUSES = 'triggered,acknowledged,mitigated';
  const RESOLVED_SHOWN = 25;
  const RESOLVED_KEPT = 50;
  const OPEN_PAGES_MAX = 10;

  /** id → { incident, seenAt } where seenAt is when this tab last learned of it. */
  let incidents = new Map();
  let socket = null;
  let ageTimer = null;
  let renderQueued = false;
  let generation = 0;

  const rowsById = { open: new Map(), resolved: new Map() };

  function isOpen(incident) {
    return incident.status !== 'resolved';
  }

  function byWorstThenNewest(a, b) {
    return S.severityRank(a.severity) - S.severityRank(b.severity) || Date.parse(b.createdAt) - Date.parse(a.createdAt);
  }

  function byResolvedNewest(a, b) {
    return Date.parse(b.resolvedAt || b.createdAt) - Date.parse(a.resolvedAt || a.createdAt);
  }

  function incidentFrom(payload) {
    const candidate = payload && payload.incident && typeof payload.incident === 'object' ? payload.incident : payload;
    return candidate && typeof candidate.id === 'string' && typeof candidate.version === 'number' ? candidate : null;
  }

  /** Keeps the newest version of each incident; announces what changed when it came live. */
  function upsert(incident, live) {
    const known = incidents.get(incident.id);
    if (known && known.incident.version > incident.version) return;
    incidents.set(incident.id, { incident, seenAt: Date.now() });
    if (live) {
      const name = 'Incident #' + incident.number + ', ' + incident.title;
      if (!known) S.announce(name + ', declared: ' + incident.severity + ', ' + incident.status + '.');
      else if (known.incident.status !== incident.status) S.announce(name + ', is now ' + incident.status + '.');
      else if (known.incident.severity !== incident.severity) S.announce(name + ', is now ' + incident.severity + '.');
    }
    queueRender();
  }

  // ---------------------------------------------------------------- rendering

  function cellsOf(incident, resolvedTable, now) {
    const roles = incident.roles || {};
    const alerts = incident.alerts || { total: 0, firing: 0 };
    const href = '/incidents/' + encodeURIComponent(incident.id);
    const since = resolvedTable ? incident.resolvedAt || incident.createdAt : incident.createdAt;
    const ageText = resolvedTable ? S.duration(now - Date.parse(since)) + ' ago' : S.duration(now - Date.parse(since));
    return [
      ['number', '#', String(incident.number), () => ['#' + incident.number]],
      [
        'title',
        'Incident',
        incident.title + '\u0000' + (incident.service || ''),
        () => [
          h('a', { href, class: 'title-link' }, incident.title),
          incident.service ? h('span', { class: 'service' }, incident.service) : null,
        ],
      ],
      ['severity', 'Severity', incident.severity, () => [S.severityBadge(incident.severity)]],
      ['status', 'Status', incident.status, () => [S.statusBadge(incident.status)]],
      [
        'commander',
        'Commander',
        roles.commander || '',
        () => [roles.commander ? roles.commander : h('span', { class: 'none' }, 'unassigned')],
      ],
      ['deputy', 'Deputy', roles.deputy || '', () => [roles.deputy ? roles.deputy : h('span', { class: 'none' }, '—')]],
      ['age', resolvedTable ? 'Resolved' : 'Age', ageText, () => [S.timeEl(since, ageText)]],
      [
        'alerts',
        'Alerts',
        alerts.firing + '/' + alerts.total,
        () => [
          h(
            'span',
            {
              class: alerts.firing > 0 ? 'alert-count firing' : 'alert-count',
              title: alerts.firing + ' firing of ' + alerts.total + ' alerts',
            },
            h('strong', null, String(alerts.firing)),
            ' / ' + alerts.total,
          ),
        ],
      ],
    ];
  }

  function updateRow(row, incident, resolvedTable, now) {
    row.dataset.severity = incident.severity;
    row.dataset.status = incident.status;
    for (const [column, label, key, build] of cellsOf(incident, resolvedTable, now)) {
      let cell = row.querySelector('[data-col="' + column + '"]');
      if (!cell) {
        cell = h(column === 'title' ? 'th' : 'td', {
          'data-col': column,
          'data-label': label,
          scope: column === 'title' ? 'row' : null,
        });
        row.append(cell);
      }
      if (cell.dataset.key === key) continue;
      cell.dataset.key = key;
      cell.replaceChildren(...build().filter(Boolean));
    }
  }

  /** Rows are kept per incident and moved only when out of place, so keyboard focus survives updates. */
  function renderTable(tbody, rows, list, resolvedTable, now) {
    const wanted = new Set(list.map((i) => i.id));
    for (const [id, row] of rows) {
      if (!wanted.has(id)) {
        row.remove();
        rows.delete(id);
      }
    }
    let cursor = tbody.firstElementChild;
    for (const incident of list) {
      let row = rows.get(incident.id);
      if (!row) {
        row = h('tr', { dataset: { id: incident.id } });
        rows.set(incident.id, row);
      }
      updateRow(row, incident, resolvedTable, now);
      if (row !== cursor) {
        if (typeof tbody.moveBefore === 'function' && row.isConnected) tbody.moveBefore(row, cursor);
        else tbody.insertBefore(row, cursor);
      } else {
        cursor = cursor.nextElementSibling;
      }
    }
  }

  function render() {
    renderQueued = false;
    const now = Date.now();
    const all = [...incidents.values()].map((v) => v.incident);
    const open = all.filter(isOpen).sort(byWorstThenNewest);
    const resolved = all.filter((i) => !isOpen(i)).sort(byResolvedNewest);
    // A tab left open for days keeps only the most recent resolutions.
    for (const old of resolved.splice(RESOLVED_KEPT)) incidents.delete(old.id);
    renderTable($('open-rows'), rowsById.open, open, false, now);
    renderTable($('resolved-rows'), rowsById.resolved, resolved, true, now);
    $('open-count').textContent = '(' + open.length + ')';
    $('resolved-count').textContent = '(' + resolved.length + ')';
    $('open-table').hidden = open.length === 0;
    $('open-empty').hidden = open.length > 0;
    $('resolved-empty').hidden = resolved.length > 0;
    document.title = (open.length ? '(' + open.length + ') ' : '') + 'Incidents · Sitrep';
  }

  function queueRender() {
    if (renderQueued) return;
    renderQueued = true;
    // A timer, not requestAnimationFrame: a board in a background tab keeps its DOM current.
    setTimeout(render, 0);
  }

  // ---------------------------------------------------------------- loading

  async function fetchOpen() {
    const items = [];
    let cursor = null;
    for (let page = 0; page < OPEN_PAGES_MAX; page++) {
      const query =
        '/api/v1/incidents?status=' +
        OPEN_STATUSES +
        '&limit=200' +
        (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
      const result = await S.api('GET', query);
      items.push(...result.items);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return items;
  }

  /**
   * Replaces the board with what the API says now, keeping anything a live event told us
   * after this load started (the event may be newer than the query's snapshot).
   */
  async function loadAll(gen) {
    const startedAt = Date.now();
    const [open, resolved] = await Promise.all([
      fetchOpen(),
      S.api('GET', '/api/v1/incidents?status=resolved&limit=' + RESOLVED_SHOWN).then((r) => r.items),
    ]);
    if (gen !== generation) return;
    const next = new Map();
    for (const incident of [...open, ...resolved]) next.set(incident.id, { incident, seenAt: startedAt });
    for (const [id, known] of incidents) {
      const fresh = next.get(id);
      if (fresh ? known.incident.version > fresh.incident.version : known.seenAt >= startedAt) next.set(id, known);
    }
    incidents = next;
    S.showError($('board-error'), '');
    queueRender();
  }

  function failed(error) {
    if (error && error.status === 401) return; // the sign-in form is showing
    S.showError(
      $('board-error'),
      'Could not load incidents: ' + (error && error.message ? error.message : String(error)),
    );
  }

  async function onConnect(sock, gen) {
    S.setConnection('catching-up');
    try {
      await S.subscribe(sock, { incidentId: '*' });
      await loadAll(gen);
      if (gen === generation && sock.connected) S.setConnection('live');
    } catch (error) {
      if (gen !== generation) return;
      failed(error);
      S.setConnection('reconnecting');
      sock.disconnect();
      setTimeout(() => gen === generation && sock.connect(), 2000);
    }
  }

  function start() {
    stop();
    const gen = ++generation;
    S.setConnection('connecting');
    loadAll(gen).catch(failed);
    socket = S.connectTimeline((sock) => onConnect(sock, gen));
    if (socket) {
      socket.on('incident', (payload) => {
        const incident = incidentFrom(payload);
        if (incident && gen === generation) upsert(incident, true);
      });
    }
    ageTimer = setInterval(queueRender, 30000);
  }

  function stop() {
    generation++;
    if (socket) socket.close();
    socket = null;
    clearInterval(ageTimer);
  }

  // ---------------------------------------------------------------- declare

  const DECLARE_FIELDS = ['title', 'severity', 'service', 'summary', 'commander'];

  /** The API names the bad field in its message or details: mark that input. */
  function markInvalid(error) {
    const text = [error.message || '', ...((error.body && error.body.details) || []).map((d) => d.path + ' ' + d.problem)].join(' ');
    let first = null;
    for (const field of DECLARE_FIELDS) {
      const input = $('declare-' + field);
      const bad = new RegExp('\\b' + field + '\\b').test(text);
      if (bad) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
      if (bad && !first) first = input;
    }
    if (first) first.focus();
  }

  async function loadDeclareResponders() {
    try {
      const result = await S.api('GET', '/api/v1/responders');
      const items = Array.isArray(result) ? result : result.items || [];
      $('declare-responders').replaceChildren(...items.map((r) => h('option', { value: r.handle }, r.name || r.handle)));
    } catch {
      // suggestions only
    }
  }

  function wireDeclare() {
    const form = $('declare-form');
    $('declare').addEventListener('toggle', () => {
      if ($('declare').open) {
        loadDeclareResponders();
        $('declare-title').focus();
      }
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = { title: $('declare-title').value.trim(), severity: $('declare-severity').value };
      if (!body.title) {
        S.showError($('declare-error'), 'Give the incident a title: what is broken, for whom.');
        $('declare-title').setAttribute('aria-invalid', 'true');
        $('declare-title').focus();
        return;
      }
      for (const field of ['service', 'summary', 'commander']) {
        const value = $('declare-' + field).value.trim();
        if (value) body[field] = value;
      }
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        const incident = await S.api('POST', '/api/v1/incidents', body);
        S.showError($('declare-error'), '');
        upsert(incident, false);
        S.announce('Incident #' + incident.number + ' declared.');
        location.assign('/incidents/' + encodeURIComponent(incident.id));
      } catch (error) {
        if (error.status === 401) return;
        S.showError($('declare-error'), 'Not declared: ' + error.message);
        markInvalid(error);
      } finally {
        button.disabled = false;
      }
    });
  }

  wireDeclare();
  S.boot({ start, stop });
})();
