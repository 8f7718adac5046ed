// The live incident page: header, roles, status actions, the timeline (fed by the
// `/timeline` socket from the last seq seen, each entry kept once), alerts, automation runs
// (refreshed on live `automation.*` entries; Run on each suggestion), action items.
'use strict';
(function () {
  const S = window.Sitrep;
  const { h, $ } = S;
  const ROLE_LABEL = { commander: 'Commander', deputy: 'Deputy', scribe: 'Scribe', communications: 'Communications' };
  const TIMELINE_PAGE = 500;

  const match = /^\/incidents\/([^/]+)\/?$/.exec(location.pathname);
  const incidentId = match ? decodeURIComponent(match[1]).toLowerCase() : '';
  const base = '/api/v1/incidents/' + encodeURIComponent(incidentId);

  let incident = null;
  /** seq → entry; `lastSeq` is the highest seq with no gap before it (what a resubscribe passes). */
  let entries = new Map();
  let lastSeq = 0;
  let lastEntryAt = 0;
  /** actionItemId → item, built from the timeline and from our own writes. */
  let actionItems = new Map();
  let catchingUp = true;
  let restTimeline = true;
  let socket = null;
  let generation = 0;
  let refreshTimer = null;
  let alertsTimer = null;
  let clockTimer = null;
  /** The answer of /update-cadence, and the incident version it was read at. */
  let cadence = null;
  let cadenceVersion = -1;
  /** automationId → name, learnt from `automation.*` entries (a run carries only the id). */
  let automationNames = new Map();
  /** The `automation.suggested` entries, each with its own Run button. */
  let suggestions = [];
  let runsTimer = null;

  // ---------------------------------------------------------------- header

  function setBadge(el, cls, text) {
    el.className = cls;
    el.textContent = text;
  }

  function timeRow(label, iso, since) {
    if (!iso) return null;
    const after = since
      ? ' (after ' + S.duration(Date.parse(iso) - Date.parse(since)) + ')'
      : ' (' + S.duration(Date.now() - Date.parse(iso)) + ' ago)';
    return h(
      'div',
      null,
      h('dt', null, label),
      h('dd', null, S.timeEl(iso, S.shortTime(iso)), h('span', { class: 'muted' }, after)),
    );
  }

  function renderTimes() {
    if (!incident) return;
    const i = incident;
    const end = i.resolvedAt ? Date.parse(i.resolvedAt) : Date.now();
    $('inc-times').replaceChildren(
      ...[
        timeRow('Declared', i.createdAt),
        timeRow('Acknowledged', i.acknowledgedAt, i.createdAt),
        timeRow('Mitigated', i.mitigatedAt, i.createdAt),
        timeRow('Resolved', i.resolvedAt, i.createdAt),
        h(
          'div',
          null,
          h('dt', null, i.resolvedAt ? 'Lasted' : 'Open for'),
          h('dd', null, S.duration(end - Date.parse(i.createdAt))),
        ),
      ].filter(Boolean),
    );
  }

  function renderRoles() {
    const roles = incident.roles || {};
    $('roles').replaceChildren(
      ...S.ROLES.map((role) => {
        const holder = roles[role];
        return h(
          'div',
          { class: holder ? 'role' : 'role vacant' },
          h('dt', null, ROLE_LABEL[role]),
          h(
            'dd',
            null,
            holder ? h('span', { class: 'holder' }, holder) : h('span', { class: 'none' }, 'unassigned'),
            holder
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'link-button unassign',
                    'aria-label': 'Unassign ' + holder + ' as ' + ROLE_LABEL[role].toLowerCase(),
                    onclick: (event) => unassign(role, event.currentTarget),
                  },
                  'Unassign',
                )
              : null,
          ),
        );
      }),
    );
  }

  // ---------------------------------------------------------------- stakeholder updates

  /** When the next stakeholder update is due, counted down; overdue in red. */
  function renderCadence() {
    const el = $('update-due');
    if (!cadence || !incident) {
      el.textContent = '';
      el.dataset.state = 'unknown';
      return;
    }
    const last = cadence.lastStatusUpdateAt
      ? ['Last update ', S.timeEl(cadence.lastStatusUpdateAt, S.shortTime(cadence.lastStatusUpdateAt)), '. ']
      : ['No update posted yet. '];
    if (incident.status === 'resolved') {
      el.dataset.state = 'none';
      el.replaceChildren(...last, 'Resolved: no more updates are due.');
    } else if (!cadence.nextUpdateDueAt) {
      el.dataset.state = 'none';
      el.replaceChildren(...last, 'No update cadence for ' + incident.severity + '.');
    } else {
      const due = Date.parse(cadence.nextUpdateDueAt);
      const now = Date.now();
      const at = S.timeEl(cadence.nextUpdateDueAt, S.shortTime(cadence.nextUpdateDueAt));
      el.dataset.state = due <= now ? 'overdue' : 'due';
      el.replaceChildren(
        ...last,
        due <= now
          ? h('strong', null, 'Next update overdue by ' + S.duration(now - due) + ' (was due ', at, ').')
          : h('span', null, 'Next update due in ' + S.duration(due - now) + ' (at ', at, ').'),
      );
    }
  }

  async function loadCadence() {
    const gen = generation;
    const version = incident ? incident.version : -1;
    try {
      const next = await S.api('GET', base + '/update-cadence');
      if (gen !== generation) return;
      cadence = next;
      cadenceVersion = version;
      renderCadence();
    } catch {
      // the countdown is a hint; the rest of the page works without it
    }
  }

  function renderIncident(next) {
    if (!next || (incident && next.version < incident.version)) return;
    const previous = incident;
    incident = next;
    $('incident').hidden = false;
    $('inc-number').textContent = '#' + next.number;
    setBadge($('inc-severity'), 'badge sev sev-' + String(next.severity).toLowerCase(), next.severity);
    setBadge($('inc-status'), 'badge status status-' + next.status, S.STATUS_LABEL[next.status] || next.status);
    $('inc-service').textContent = next.service ? 'service: ' + next.service : '';
    $('inc-service').hidden = !next.service;
    $('incident-title').textContent = next.title;
    $('inc-summary').textContent = next.summary || '';
    $('inc-summary').hidden = !next.summary;
    document.title = '#' + next.number + ' ' + next.title + ' · Sitrep';
    renderTimes();
    renderRoles();
    if (next.version !== cadenceVersion) loadCadence();
    else renderCadence();
    // The server says which moves are allowed: the page never re-declares the state machine.
    const allowed = next.allowedTransitions || [];
    for (const button of document.querySelectorAll('#transition-form [data-transition]')) {
      button.disabled = !allowed.includes(button.dataset.transition) || button.dataset.busy === 'true';
    }
    const alerts = next.alerts || { total: 0, firing: 0 };
    $('alert-counts').textContent = alerts.total ? '(' + alerts.firing + ' firing of ' + alerts.total + ')' : '';
    if (previous && previous.status !== next.status) S.announce('Incident is now ' + next.status + '.');
  }

  async function refreshIncident() {
    const gen = generation;
    try {
      const next = await S.api('GET', base);
      if (gen === generation) renderIncident(next);
    } catch (error) {
      if (gen === generation && error.status !== 401)
        S.showError($('load-error'), 'Could not refresh the incident: ' + error.message);
    }
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refreshIncident, 100);
  }

  // ---------------------------------------------------------------- timeline

  /**
   * An entry as the server describes it (`summary`, `kind`: the one shared describer). A note's
   * own text is its detail, so markup in it stays text.
   */
  function describe(entry) {
    const d = entry.data || {};
    const summary = typeof entry.summary === 'string' ? entry.summary : String(entry.type);
    if (entry.type === 'note.added') {
      return { kind: 'note', line: [d.pinned ? 'Pinned note' : 'Note'], detail: summary, pinned: !!d.pinned };
    }
    const failed = entry.type === 'notification.failed' || entry.type === 'page.failed' || entry.type === 'automation.failed';
    return { kind: (entry.kind || 'other') + (failed ? ' failed' : ''), line: [summary] };
  }

  /** Derived state: action items and alert names, in seq order. */
  function track(entry) {
    const d = entry.data || {};
    if (entry.type.startsWith('automation.') && d.automationId && typeof d.name === 'string') {
      automationNames.set(d.automationId, d.name);
    }
    if (entry.type === 'automation.suggested' && d.automationId) {
      suggestions.push(entry);
      renderSuggestions();
    }
    if (entry.type === 'action_item.added' && d.actionItemId) {
      const known = actionItems.get(d.actionItemId);
      actionItems.set(
        d.actionItemId,
        Object.assign(
          {
            id: d.actionItemId,
            title: d.title,
            owner: d.owner || null,
            dueDate: d.dueDate || null,
            status: d.status || 'open',
          },
          known || {},
        ),
      );
      renderActionItems();
    } else if (entry.type === 'action_item.updated' && d.actionItemId) {
      const item = actionItems.get(d.actionItemId) || {
        id: d.actionItemId,
        title: d.actionItemId,
        owner: null,
        dueDate: null,
        status: 'open',
      };
      actionItems.set(d.actionItemId, Object.assign({}, item, d.changes || {}));
      renderActionItems();
    }
  }

  function entryNode(entry) {
    const { kind, line, detail, pinned } = describe(entry);
    return h(
      'li',
      {
        class: 'entry entry-' + kind.split(' ').join(' entry-') + (pinned ? ' pinned' : ''),
        dataset: { seq: String(entry.seq), type: entry.type },
      },
      h(
        'div',
        { class: 'entry-meta' },
        S.timeEl(entry.occurredAt, S.shortTime(entry.occurredAt, true)),
        h('span', { class: 'actor' }, entry.actor || 'unknown'),
        pinned ? h('span', { class: 'pin-tag' }, 'Pinned') : null,
      ),
      h('p', { class: 'entry-line' }, line),
      detail ? h('p', { class: kind === 'other' ? 'entry-detail code' : 'entry-detail' }, String(detail)) : null,
    );
  }

  /** Adds an entry once (by seq), newest first in the list; a live one may refresh the header. */
  function applyEntry(entry, live) {
    if (!entry || typeof entry.seq !== 'number' || entry.incidentId !== incidentId || entries.has(entry.seq))
      return false;
    entries.set(entry.seq, entry);
    lastEntryAt = Date.now();
    while (entries.has(lastSeq + 1)) lastSeq++;
    track(entry);
    const list = $('timeline');
    let next = list.firstElementChild;
    while (next && Number(next.dataset.seq) > entry.seq) next = next.nextElementSibling;
    list.insertBefore(entryNode(entry), next);
    $('timeline-empty').hidden = true;
    if (live) {
      const { line } = describe(entry);
      S.announce((entry.actor || 'someone') + ': ' + line.join(''));
      if (entry.type.startsWith('incident.') || entry.type.startsWith('alert.')) scheduleRefresh();
      if (entry.type.startsWith('alert.')) scheduleAlerts();
      if (entry.type.startsWith('automation.')) scheduleRuns();
    }
    return true;
  }

  /** Pages through the REST timeline from the last seq seen; false when that endpoint is not there. */
  async function catchUpRest(gen) {
    if (!restTimeline) return;
    for (;;) {
      let page;
      try {
        page = await S.api('GET', base + '/timeline?after=' + lastSeq + '&limit=' + TIMELINE_PAGE);
      } catch (error) {
        if (error.status === 404 || error.status === 400) {
          restTimeline = false; // rely on the socket's replay
          return;
        }
        throw error;
      }
      if (gen !== generation) return;
      let added = 0;
      for (const entry of page.items || []) if (applyEntry(entry, false)) added++;
      if (!page.nextAfter || added === 0) return;
    }
  }

  function quietFor(ms, gen) {
    return new Promise((resolve) => {
      const check = () => (gen !== generation || Date.now() - lastEntryAt >= ms ? resolve() : setTimeout(check, 50));
      check();
    });
  }

  async function onConnect(sock, gen) {
    catchingUp = true;
    S.setConnection('catching-up');
    try {
      await catchUpRest(gen);
      if (gen !== generation) return;
      lastEntryAt = Date.now();
      await S.subscribe(sock, { incidentId, after: lastSeq });
      if (gen !== generation) return;
      // Without the REST timeline the socket replays the whole history: live once it goes quiet.
      if (!restTimeline) await quietFor(300, gen);
      if (gen !== generation) return;
      catchingUp = false;
      if (sock.connected) S.setConnection('live');
      $('timeline-empty').hidden = entries.size > 0;
      refreshIncident();
      loadAlerts();
      loadRuns();
    } catch (error) {
      if (gen !== generation || error.status === 401) return;
      S.showError($('load-error'), 'Live timeline: ' + error.message + '. Retrying…');
      S.setConnection('reconnecting');
      sock.disconnect();
      setTimeout(() => {
        if (gen !== generation) return;
        S.showError($('load-error'), '');
        sock.connect();
      }, 2000);
    }
  }

  // ---------------------------------------------------------------- alerts

  function pick(item, ...names) {
    for (const name of names) {
      const value = name.split('.').reduce((v, k) => (v && typeof v === 'object' ? v[k] : undefined), item);
      if (typeof value === 'string' && value) return value;
    }
    return null;
  }

  function renderAlerts(items) {
    const sorted = [...items].sort(
      (a, b) =>
        (a.status === 'firing' ? 0 : 1) - (b.status === 'firing' ? 0 : 1) ||
        S.severityRank(a.severity) - S.severityRank(b.severity),
    );
    $('alerts').replaceChildren(
      ...sorted.map((item) => {
        const runbook = S.externalLink(pick(item, 'runbookUrl', 'runbook_url', 'annotations.runbook_url'), 'Runbook');
        const source = S.externalLink(pick(item, 'generatorUrl', 'generatorURL', 'generator_url'), 'Source graph');
        const description = pick(item, 'description', 'annotations.description');
        const extra = (Array.isArray(item.links) ? item.links : [])
          .map(
            (link) => link && S.externalLink(link.href, typeof link.text === 'string' && link.text ? link.text : null),
          )
          .filter(Boolean)
          .slice(0, 5);
        const links = [runbook, source, ...extra].filter(Boolean);
        const since = item.startsAt || item.attachedAt;
        const firing = item.status === 'firing';
        return h(
          'li',
          { class: firing ? 'alert firing' : 'alert resolved' },
          h(
            'p',
            { class: 'alert-head' },
            item.severity ? S.severityBadge(item.severity) : null,
            ' ',
            h('span', { class: firing ? 'alert-state firing' : 'alert-state' }, firing ? 'Firing' : 'Resolved'),
            ' ',
            h('strong', null, item.summary || item.identity || 'Alert'),
          ),
          description ? h('p', { class: 'alert-desc' }, description) : null,
          h(
            'p',
            { class: 'alert-meta muted small' },
            item.source ? item.source + ' · ' : '',
            since ? ['since ', S.timeEl(since, S.shortTime(since))] : null,
            item.resolvedAt ? [' · resolved ', S.timeEl(item.resolvedAt, S.shortTime(item.resolvedAt))] : null,
          ),
          links.length
            ? h(
                'p',
                { class: 'alert-links' },
                links.flatMap((link, i) => (i ? [' · ', link] : [link])),
              )
            : null,
        );
      }),
    );
    $('alerts-empty').hidden = items.length > 0;
  }

  async function loadAlerts() {
    const gen = generation;
    try {
      const result = await S.api('GET', base + '/alerts');
      if (gen !== generation) return;
      renderAlerts(Array.isArray(result) ? result : result.items || []);
      S.showError($('alerts-error'), '');
    } catch (error) {
      if (gen === generation && error.status !== 401)
        S.showError($('alerts-error'), 'Could not load alerts: ' + error.message);
    }
  }

  function scheduleAlerts() {
    clearTimeout(alertsTimer);
    alertsTimer = setTimeout(loadAlerts, 250);
  }

  // ---------------------------------------------------------------- automation runs

  /** Output shown per run; the API keeps up to 64 KiB, the page shows its start. */
  const OUTPUT_EXCERPT = 4000;

  function automationName(id) {
    return automationNames.get(id) || 'Automation ' + String(id).slice(0, 8);
  }

  function runTime(label, iso) {
    return iso ? [label + ' ', S.timeEl(iso, S.shortTime(iso, true))] : null;
  }

  function runNode(run) {
    const result = run.result || {};
    const code =
      typeof result.exitCode === 'number'
        ? 'exit code ' + result.exitCode
        : typeof result.statusCode === 'number'
          ? 'HTTP ' + result.statusCode
          : null;
    const output = typeof result.output === 'string' ? result.output : '';
    const shown = output.length > OUTPUT_EXCERPT ? output.slice(0, OUTPUT_EXCERPT) : output;
    const verification = run.verification ? ' · verification ' + run.verification : '';
    return h(
      'li',
      { class: 'automation-run', dataset: { runId: run.id, status: run.status } },
      h(
        'p',
        { class: 'run-head' },
        h('span', { class: 'run-status run-' + run.status }, String(run.status)),
        ' ',
        h('strong', null, automationName(run.automationId)),
        h('span', { class: 'muted small' }, verification),
      ),
      h(
        'p',
        { class: 'run-meta muted small' },
        'by ',
        h('span', { class: 'actor' }, run.actor || 'unknown'),
        ' · ',
        runTime('queued', run.queuedAt),
        run.startedAt ? [' · ', runTime('started', run.startedAt)] : null,
        run.finishedAt ? [' · ', runTime('ended', run.finishedAt)] : null,
        code ? [' · ', h('span', { class: 'run-code' }, code)] : null,
      ),
      run.reason ? h('p', { class: 'run-reason' }, String(run.reason)) : null,
      output
        ? h(
            'details',
            { class: 'run-output' },
            h(
              'summary',
              null,
              shown.length < output.length
                ? 'Output (first ' + shown.length + ' of ' + output.length + ' characters)'
                : 'Output (' + output.length + ' characters)',
            ),
            // Text only: whatever a script or an endpoint printed never becomes markup.
            h('pre', null, shown),
          )
        : null,
    );
  }

  function renderRuns(items) {
    // Keep open whatever output the reader expanded across a live refresh.
    const open = new Set(
      [...document.querySelectorAll('#automation-runs details[open]')].map((d) => d.closest('li').dataset.runId),
    );
    const nodes = items.map(runNode);
    for (const node of nodes) if (open.has(node.dataset.runId)) node.querySelector('details')?.setAttribute('open', '');
    $('automation-runs').replaceChildren(...nodes);
    $('automation-empty').hidden = items.length > 0;
  }

  async function loadRuns() {
    const gen = generation;
    try {
      const result = await S.api('GET', base + '/automation-runs');
      if (gen !== generation) return;
      const items = Array.isArray(result) ? result : result.items || [];
      const missing = items.some((run) => !automationNames.has(run.automationId));
      if (missing) await loadAutomationNames();
      if (gen !== generation) return;
      renderRuns(items);
    } catch (error) {
      if (gen === generation && error.status !== 401)
        S.showError($('automation-error'), 'Could not load automation runs: ' + error.message);
    }
  }

  /** A run a responder started by hand has no entry naming its automation before it starts. */
  async function loadAutomationNames() {
    try {
      const result = await S.api('GET', '/api/v1/automations');
      for (const a of Array.isArray(result) ? result : result.items || []) {
        if (a && a.id && !automationNames.has(a.id)) automationNames.set(a.id, a.name);
      }
    } catch {
      // names are a nicety; the id stands in
    }
  }

  function scheduleRuns() {
    clearTimeout(runsTimer);
    runsTimer = setTimeout(loadRuns, 150);
  }

  function renderSuggestions() {
    $('automation-suggested').replaceChildren(
      ...suggestions.map((entry) => {
        const d = entry.data || {};
        const name = typeof d.name === 'string' ? d.name : automationName(d.automationId);
        return h(
          'li',
          { dataset: { seq: String(entry.seq) } },
          h(
            'span',
            null,
            h('span', { class: 'muted small' }, 'Suggested '),
            S.timeEl(entry.occurredAt, S.shortTime(entry.occurredAt)),
            ': ',
            h('strong', null, name),
          ),
          h(
            'button',
            {
              type: 'button',
              'aria-label': 'Run ' + name,
              onclick: (event) => runSuggested(d.automationId, name, event.currentTarget),
            },
            'Run',
          ),
        );
      }),
    );
  }

  async function runSuggested(automationId, name, button) {
    const run = await write($('automation-error'), [button], () =>
      S.api('POST', base + '/automation-runs', { automationId }),
    );
    if (run) {
      S.announce('Run of ' + name + ' queued.');
      loadRuns();
    }
  }

  // ---------------------------------------------------------------- action items

  function renderActionItems() {
    const items = [...actionItems.values()];
    $('action-items').replaceChildren(
      ...items.map((item) => {
        const id = 'ai-' + item.id;
        const done = item.status === 'done';
        return h(
          'li',
          { class: done ? 'action-item done' : 'action-item' },
          h('input', {
            type: 'checkbox',
            id,
            checked: done,
            onchange: (event) => toggleActionItem(item, event.currentTarget),
          }),
          h(
            'label',
            { for: id },
            h('span', { class: 'ai-title' }, item.title || ''),
            item.owner || item.dueDate
              ? h('span', { class: 'ai-meta muted small' }, [
                  item.owner || '',
                  item.owner && item.dueDate ? ' · ' : '',
                  item.dueDate ? 'due ' + item.dueDate : '',
                ])
              : null,
          ),
        );
      }),
    );
    $('action-items-empty').hidden = items.length > 0;
  }

  async function toggleActionItem(item, checkbox) {
    checkbox.disabled = true;
    const status = checkbox.checked ? 'done' : 'open';
    try {
      const updated = await S.api('PATCH', base + '/action-items/' + encodeURIComponent(item.id), { status });
      actionItems.set(item.id, Object.assign({}, actionItems.get(item.id), updated));
      S.showError($('action-item-error'), '');
      renderActionItems();
    } catch (error) {
      checkbox.checked = !checkbox.checked;
      checkbox.disabled = false;
      S.showError($('action-item-error'), error.message);
    }
  }

  // ---------------------------------------------------------------- writes

  /** Runs a write with its controls disabled; its error goes to `errorEl` as the API's message. */
  async function write(errorEl, controls, work) {
    for (const control of controls) {
      control.dataset.busy = 'true';
      control.disabled = true;
    }
    try {
      const result = await work();
      S.showError(errorEl, '');
      return result;
    } catch (error) {
      if (error.status !== 401) S.showError(errorEl, error.message);
      return undefined;
    } finally {
      for (const control of controls) {
        delete control.dataset.busy;
        control.disabled = false;
      }
      if (incident) renderIncident(incident);
    }
  }

  async function transition(button) {
    const action = button.dataset.transition;
    const note = $('transition-note').value.trim();
    const updated = await write($('transition-error'), [button], () =>
      S.api('POST', base + '/' + action, note ? { note } : {}),
    );
    if (updated) {
      $('transition-note').value = '';
      renderIncident(updated);
    }
  }

  async function unassign(role, button) {
    const updated = await write($('role-error'), [button], () => S.api('DELETE', base + '/roles/' + role));
    if (updated) {
      renderIncident(updated);
      $('role-assignee').focus();
    }
  }

  function wireForms() {
    for (const button of document.querySelectorAll('#transition-form [data-transition]')) {
      button.type = 'button';
      button.addEventListener('click', () => transition(button));
    }
    $('transition-form').addEventListener('submit', (event) => event.preventDefault());

    $('role-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const role = $('role-select').value;
      const assignee = $('role-assignee').value.trim();
      if (!assignee) {
        S.showError($('role-error'), 'Enter the responder handle to assign.');
        $('role-assignee').focus();
        return;
      }
      const button = event.currentTarget.querySelector('button[type=submit]');
      const updated = await write($('role-error'), [button], () => S.api('PUT', base + '/roles/' + role, { assignee }));
      if (updated) {
        $('role-assignee').value = '';
        renderIncident(updated);
      }
    });

    const noteForm = $('note-form');
    noteForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const text = $('note-text').value.trim();
      if (!text) {
        S.showError($('note-error'), 'Write the note first.');
        $('note-text').focus();
        return;
      }
      const pinned = $('note-pinned').checked;
      const button = noteForm.querySelector('button[type=submit]');
      const entry = await write($('note-error'), [button], () => S.api('POST', base + '/notes', { text, pinned }));
      if (entry) {
        $('note-text').value = '';
        $('note-pinned').checked = false;
        applyEntry(entry, false);
      }
    });
    $('note-text').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        noteForm.requestSubmit();
      }
    });

    const updateForm = $('update-form');
    updateForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const text = $('update-text').value.trim();
      if (!text) {
        S.showError($('update-error'), 'Write the update first.');
        $('update-text').focus();
        return;
      }
      const button = updateForm.querySelector('button[type=submit]');
      const entry = await write($('update-error'), [button], () => S.api('POST', base + '/updates', { text }));
      if (entry) {
        $('update-text').value = '';
        applyEntry(entry, false);
        S.announce('Status update posted to stakeholders.');
        refreshIncident();
      }
    });

    const itemForm = $('action-item-form');
    itemForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const title = $('action-item-title').value.trim();
      if (!title) {
        S.showError($('action-item-error'), 'Give the action item a title.');
        $('action-item-title').focus();
        return;
      }
      const body = { title };
      const owner = $('action-item-owner').value.trim();
      const dueDate = $('action-item-due').value;
      if (owner) body.owner = owner;
      if (dueDate) body.dueDate = dueDate;
      const button = itemForm.querySelector('button[type=submit]');
      const item = await write($('action-item-error'), [button], () => S.api('POST', base + '/action-items', body));
      if (item && item.id) {
        itemForm.reset();
        actionItems.set(item.id, Object.assign({}, actionItems.get(item.id), item));
        renderActionItems();
      }
    });

    const link = $('postmortem-link');
    link.setAttribute('href', base + '/postmortem?format=html');
    link.addEventListener('click', async (event) => {
      event.preventDefault();
      try {
        const html = await S.api('GET', base + '/postmortem?format=html', undefined, {
          text: true,
          accept: 'text/html',
        });
        // A sandboxed frame without scripts or same-origin access: the draft is shown, never run.
        $('postmortem-frame').srcdoc = typeof html === 'string' ? html : '';
        $('postmortem-view').hidden = false;
        S.showError($('postmortem-error'), '');
        $('postmortem-close').focus();
      } catch (error) {
        if (error.status === 401) return;
        S.showError(
          $('postmortem-error'),
          error.status === 404 ? 'No postmortem draft is available for this incident yet.' : error.message,
        );
      }
    });
    $('postmortem-close').addEventListener('click', () => {
      $('postmortem-view').hidden = true;
      $('postmortem-frame').removeAttribute('srcdoc');
      link.focus();
    });
  }

  async function loadResponders() {
    try {
      const result = await S.api('GET', '/api/v1/responders');
      const items = Array.isArray(result) ? result : result.items || [];
      $('responders').replaceChildren(
        ...items.map((r) => h('option', { value: r.handle }, r.name ? r.name : r.handle)),
      );
    } catch {
      // suggestions only
    }
  }

  // ---------------------------------------------------------------- lifecycle

  function reset() {
    incident = null;
    entries = new Map();
    lastSeq = 0;
    actionItems = new Map();
    cadence = null;
    cadenceVersion = -1;
    automationNames = new Map();
    suggestions = [];
    restTimeline = true;
    catchingUp = true;
    $('timeline').replaceChildren();
    $('action-items').replaceChildren();
    $('alerts').replaceChildren();
    $('automation-runs').replaceChildren();
    $('automation-suggested').replaceChildren();
    S.showError($('automation-error'), '');
    S.showError($('load-error'), '');
  }

  async function start() {
    stop();
    reset();
    const gen = ++generation;
    S.setConnection('connecting');
    try {
      renderIncident(await S.api('GET', base));
    } catch (error) {
      if (gen !== generation || error.status === 401) return;
      S.setConnection('idle');
      $('incident').hidden = true;
      const message =
        error.status === 404 ? 'There is no incident with this id.' : 'Could not load the incident: ' + error.message;
      S.showError($('load-error'), message);
      $('load-error').append(
        ' ',
        h('button', { type: 'button', class: 'link-button', onclick: () => start() }, 'Try again'),
      );
      return;
    }
    if (gen !== generation) return;
    loadAlerts();
    loadRuns();
    loadResponders();
    renderActionItems();
    clockTimer = setInterval(() => {
      renderTimes();
      renderCadence();
    }, 15000);
    socket = S.connectTimeline((sock) => onConnect(sock, gen));
    if (socket) {
      socket.on('timeline', (payload) => {
        if (gen !== generation) return;
        for (const entry of Array.isArray(payload) ? payload : [payload]) applyEntry(entry, !catchingUp);
      });
    } else {
      try {
        await catchUpRest(gen);
      } catch (error) {
        S.showError($('load-error'), 'Could not load the timeline: ' + error.message);
      }
      $('timeline-empty').hidden = entries.size > 0;
    }
  }

  function stop() {
    generation++;
    if (socket) socket.close();
    socket = null;
    clearTimeout(refreshTimer);
    clearTimeout(alertsTimer);
    clearTimeout(runsTimer);
    clearInterval(clockTimer);
  }

  if (!incidentId) return;
  wireForms();
  S.boot({ start, stop });
})();
