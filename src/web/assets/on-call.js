// The on-call page: who is on call now for every schedule, and each schedule's next two weeks
// drawn as a strip (one coloured block per shift, hatched where nobody is on call, overrides
// outlined). Times are the viewer's; the API answers in UTC. Refreshes every minute.
'use strict';
(function () {
  const S = window.Sitrep;
  const { h, $ } = S;
  const DAY_MS = 86400000;
  const DAYS_SHOWN = 14;
  const REFRESH_MS = 60000;
  const COLOURS = 8;

  let refreshTimer = null;
  let generation = 0;
  /** handle → colour index, kept across refreshes so a person keeps their colour. */
  const colourOf = new Map();

  function colour(handle) {
    if (!colourOf.has(handle)) colourOf.set(handle, colourOf.size % COLOURS);
    return 'oc-c' + colourOf.get(handle);
  }

  function localMidnight(ms) {
    const date = new Date(ms);
    date.setHours(0, 0, 0, 0);
    return date.getTime();
  }

  /** The next local midnight after `ms` (a DST day is 23 or 25 hours, so never + 24 h). */
  function nextMidnight(ms) {
    const date = new Date(ms);
    date.setHours(24, 0, 0, 0);
    return date.getTime();
  }

  function when(ms) {
    return new Date(ms).toLocaleString([], {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
  }

  function pct(ms, from, to) {
    return ((Math.min(Math.max(ms, from), to) - from) / (to - from)) * 100;
  }

  function nowLine(item, shifts, now) {
    const wrap = h('div', { class: 'oc-now' });
    if (item.handle) {
      wrap.append(
        h('span', { class: 'oc-person ' + colour(item.handle), dataset: { handle: item.handle } }, item.handle),
      );
      if (item.until)
        wrap.append(
          h(
            'span',
            { class: 'oc-until muted' },
            'until ',
            S.timeEl(item.until, when(Date.parse(item.until))),
            ' (in ' + S.duration(Date.parse(item.until) - now) + ')',
          ),
        );
    } else {
      wrap.append(h('span', { class: 'oc-person oc-nobody', dataset: { handle: '' } }, 'Nobody'));
      wrap.append(
        h(
          'span',
          { class: 'muted' },
          item.until ? ['until ', S.timeEl(item.until, when(Date.parse(item.until)))] : 'no shift in the next 45 days',
        ),
      );
    }
    // Who takes over next: the first shift of somebody else after now.
    const next = shifts.find((shift) => Date.parse(shift.start) > now && shift.handle !== item.handle);
    if (next) {
      wrap.append(
        h(
          'span',
          { class: 'oc-next muted', dataset: { handle: next.handle } },
          '· then ',
          h('strong', {}, next.handle),
          ' from ',
          S.timeEl(next.start, when(Date.parse(next.start))),
        ),
      );
    }
    return wrap;
  }

  function strip(schedule, shifts, from, to, now) {
    const track = h('div', { class: 'oc-track', 'aria-hidden': 'true' });
    for (const shift of shifts) {
      const start = Date.parse(shift.start);
      const end = Date.parse(shift.end);
      if (end <= from || start >= to) continue;
      const left = pct(start, from, to);
      const block = h(
        'div',
        {
          class: 'oc-shift ' + colour(shift.handle) + (shift.source === 'override' ? ' oc-override' : ''),
          title:
            shift.handle +
            ' · ' +
            (shift.source === 'override' ? 'override' : shift.source) +
            ' · ' +
            when(start) +
            ' – ' +
            when(end),
          dataset: { handle: shift.handle, source: shift.source, start: shift.start, end: shift.end },
        },
        shift.handle,
      );
      block.style.left = left + '%';
      block.style.width = pct(end, from, to) - left + '%';
      track.append(block);
    }
    const days = h('div', { class: 'oc-days', 'aria-hidden': 'true' });
    for (let day = from; day < to; day = nextMidnight(day)) {
      const date = new Date(day);
      const weekend = date.getDay() === 0 || date.getDay() === 6;
      const tick = h(
        'span',
        { class: 'oc-day' + (weekend ? ' oc-weekend' : '') },
        date.toLocaleDateString([], { weekday: 'short', day: 'numeric' }),
      );
      tick.style.left = pct(day, from, to) + '%';
      days.append(tick);
    }
    const marker = h('div', { class: 'oc-nowline', 'aria-hidden': 'true' });
    marker.style.left = pct(now, from, to) + '%';
    // For screen readers, the same shifts as a list.
    const spoken = h(
      'ol',
      { class: 'visually-hidden', 'aria-label': 'Shifts of ' + schedule.name + ' in the next two weeks' },
      shifts.map((s) =>
        h(
          'li',
          {},
          s.handle +
            ', ' +
            (s.source === 'override' ? 'override' : 'layer ' + s.source) +
            ', ' +
            when(Date.parse(s.start)) +
            ' to ' +
            when(Date.parse(s.end)),
        ),
      ),
      shifts.length ? null : h('li', {}, 'Nobody is on call in the next two weeks.'),
    );
    return h(
      'div',
      { class: 'oc-strip', dataset: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } },
      track,
      days,
      marker,
      spoken,
    );
  }

  function legend(shifts) {
    const people = [...new Set(shifts.map((s) => s.handle))];
    if (!people.length) return null;
    return h(
      'ul',
      { class: 'oc-legend', 'aria-hidden': 'true' },
      people.map((p) => h('li', {}, h('span', { class: 'oc-swatch ' + colour(p) }), p)),
      shifts.some((s) => s.source === 'override')
        ? h('li', {}, h('span', { class: 'oc-swatch oc-override' }), 'override')
        : null,
      h('li', {}, 'hatched: nobody on call'),
    );
  }

  function card(item, shifts, from, to, now) {
    return h(
      'li',
      { class: 'oc-card', dataset: { scheduleId: item.schedule.id } },
      h('div', { class: 'oc-head' }, h('h2', {}, item.schedule.name), nowLine(item, shifts, now)),
      strip(item.schedule, shifts, from, to, now),
      legend(shifts),
    );
  }

  async function load(gen) {
    const now = Date.now();
    const from = localMidnight(now);
    let to = from;
    for (let i = 0; i < DAYS_SHOWN; i++) to = nextMidnight(to);
    const { items } = await S.api('GET', '/api/v1/on-call');
    const range =
      '?from=' +
      encodeURIComponent(new Date(from).toISOString()) +
      '&to=' +
      encodeURIComponent(new Date(to).toISOString());
    const shifts = await Promise.all(
      items.map((item) =>
        S.api('GET', '/api/v1/schedules/' + encodeURIComponent(item.schedule.id) + '/shifts' + range)
          .then((r) => r.items)
          .catch((error) => (error && error.status === 404 ? [] : Promise.reject(error))),
      ),
    );
    if (gen !== generation) return;
    const list = $('schedules');
    list.replaceChildren(...items.map((item, i) => card(item, shifts[i], from, to, now)));
    $('schedule-count').textContent = '(' + items.length + ')';
    $('oncall-empty').hidden = items.length > 0;
    $('refreshed').textContent =
      'Updated ' + new Date(now).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    S.showError($('oncall-error'), '');
    document.body.dataset.loaded = String(now);
  }

  function failed(error) {
    if (error && error.status === 401) return; // the sign-in form is showing
    S.showError(
      $('oncall-error'),
      'Could not load who is on call: ' + (error && error.message ? error.message : String(error)),
    );
  }

  function start() {
    stop();
    const gen = ++generation;
    $('viewer-zone').textContent = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
    load(gen).catch(failed);
    refreshTimer = setInterval(() => load(gen).catch(failed), REFRESH_MS);
  }

  function stop() {
    generation++;
    clearInterval(refreshTimer);
  }

  S.boot({ start, stop });
})();
