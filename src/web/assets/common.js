// Sitrep web UI: what both pages share. A classic script (no modules, no build step):
// it defines window.Sitrep. Untrusted text only ever reaches the DOM as text nodes.
'use strict';
(function () {
  const TOKEN_KEY = 'sitrep.token';
  const SEVERITY_RANK = { SEV1: 1, SEV2: 2, SEV3: 3, SEV4: 4 };
  const ROLES = ['commander', 'deputy', 'scribe', 'communications'];
  const STATUS_LABEL = {
    triggered: 'Triggered',
    acknowledged: 'Acknowledged',
    mitigated: 'Mitigated',
    resolved: 'Resolved',
  };
  const CONNECTION_LABEL = {
    idle: 'Not connected',
    connecting: 'Connecting…',
    'catching-up': 'Catching up…',
    live: 'Live',
    reconnecting: 'Reconnecting…',
    offline: 'Offline: live updates unavailable',
  };

  // ---------------------------------------------------------------- token

  let memoryToken = null;

  function getToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || memoryToken;
    } catch {
      return memoryToken;
    }
  }

  function setToken(token) {
    memoryToken = token;
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch {
      // storage refused (private mode): the token lives in memory for this page
    }
  }

  function clearToken() {
    memoryToken = null;
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // nothing stored
    }
  }

  /** `#token=…` in the address: keep it for the tab, then take it out of the address bar and history. */
  function takeTokenFromUrl() {
    const hash = location.hash.replace(/^#/, '');
    if (!hash) return;
    const params = new URLSearchParams(hash);
    if (!params.has('token')) return;
    const token = (params.get('token') || '').trim();
    params.delete('token');
    if (token) setToken(token);
    const rest = params.toString();
    history.replaceState(history.state, '', location.pathname + location.search + (rest ? '#' + rest : ''));
  }

  // ---------------------------------------------------------------- DOM

  /** Only http(s) links; relative ones resolve against this page. */
  function safeHref(value) {
    if (typeof value !== 'string' || !value.trim()) return null;
    try {
      const url = new URL(value, location.href);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch {
      return null;
    }
  }

  function append(parent, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      parent.append(child instanceof Node ? child : String(child));
    }
    return parent;
  }

  /** `h('a', {href, class}, 'text', node)`: attributes via setAttribute, children as text nodes or elements. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key === 'href' || key === 'src') {
        const safe = safeHref(String(value));
        if (safe) el.setAttribute(key, safe);
      } else el.setAttribute(key, value === true ? '' : String(value));
    }
    return append(el, children);
  }

  function $(id) {
    return document.getElementById(id);
  }

  /** An external (http/https) link opening in a new tab, or plain text when the URL is not safe. */
  function externalLink(url, text) {
    const href = safeHref(url);
    if (!href) return null;
    return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text || href);
  }

  function showError(el, message) {
    el.textContent = message || '';
    el.hidden = !message;
  }

  let announceTimer = null;
  /** Tells screen readers about a live change (one polite region per page). */
  function announce(message) {
    const region = $('announcer');
    if (!region) return;
    region.textContent = '';
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      region.textContent = message;
    }, 50);
  }

  // ---------------------------------------------------------------- formatting

  function severityRank(severity) {
    return SEVERITY_RANK[severity] || 9;
  }

  function duration(ms) {
    const minutes = Math.max(0, Math.floor(ms / 60000));
    if (minutes < 1) return '<1m';
    if (minutes < 60) return minutes + 'm';
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return hours + 'h ' + (minutes % 60) + 'm';
    const days = Math.floor(hours / 24);
    return days + 'd ' + (hours % 24) + 'h';
  }

  function fullTime(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? '' : date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'long' });
  }

  /** 14:02:11 today, or "3 Nov, 14:02" on another day. */
  function shortTime(iso, withSeconds) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return '';
    const time = date.toLocaleTimeString([], {
      hour: '2-digit',
      minute: '2-digit',
      second: withSeconds ? '2-digit' : undefined,
    });
    if (date.toDateString() === new Date().toDateString()) return time;
    return date.toLocaleDateString([], { day: 'numeric', month: 'short' }) + ', ' + time;
  }

  function timeEl(iso, text) {
    return h('time', { datetime: iso, title: fullTime(iso) }, text);
  }

  function severityBadge(severity) {
    return h('span', { class: 'badge sev sev-' + String(severity).toLowerCase() }, String(severity));
  }

  function statusBadge(status) {
    return h(
      'span',
      { class: 'badge status status-' + String(status).toLowerCase() },
      STATUS_LABEL[status] || String(status),
    );
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }

  let unauthorizedHandler = () => undefined;

  /** One call to the API with the tab's token; JSON in and out. A 401 sends the user back to sign-in. */
  async function api(method, path, body, options) {
    const opts = options || {};
    const headers = { accept: opts.accept || 'application/json' };
    const token = getToken();
    if (token) headers.authorization = 'Bearer ' + token;
    let payload;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, { method, headers, body: payload, cache: 'no-store', credentials: 'omit' });
    } catch {
      throw new ApiError(0, 'Sitrep cannot be reached. Check the connection and try again.');
    }
    const text = await response.text();
    let data = text;
    if (!opts.text || !response.ok) {
      try {
        data = text ? JSON.parse(text) : undefined;
      } catch {
        data = text;
      }
    }
    if (!response.ok) {
      const message =
        data && typeof data === 'object' && typeof data.message === 'string'
          ? data.message
          : response.status + ' ' + (response.statusText || 'error');
      if (response.status === 401 && !opts.noSignIn) unauthorizedHandler(message);
      throw new ApiError(response.status, message, data);
    }
    return data;
  }

  // ---------------------------------------------------------------- connection state

  function setConnection(state) {
    const el = $('connection');
    if (!el || el.dataset.state === state) return;
    el.dataset.state = state;
    el.querySelector('.connection-label').textContent = CONNECTION_LABEL[state] || state;
  }

  /**
   * The `/timeline` socket.io namespace. Returns null when the socket.io client is missing.
   * `onConnect` runs on every (re)connection; the page resubscribes there.
   */
  function connectTimeline(onConnect) {
    if (typeof window.io !== 'function') {
      setConnection('offline');
      return null;
    }
    const socket = window.io('/timeline', {
      path: '/socket.io',
      auth: (cb) => cb({ token: getToken() }),
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    let retryTimer = null;
    let retryDelay = 1000;
    // After the server refused or dropped us it does not retry by itself: check the token, then retry.
    const retryLater = async () => {
      clearTimeout(retryTimer);
      try {
        await api('GET', '/api/v1/incidents?limit=1');
      } catch (error) {
        if (error.status === 401) return; // back to sign-in
      }
      retryTimer = setTimeout(() => {
        if (!socket.connected) socket.connect();
      }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    };
    socket.on('connect', () => {
      retryDelay = 1000;
      onConnect(socket);
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      setConnection('reconnecting');
      if (reason === 'io server disconnect') void retryLater();
    });
    socket.on('connect_error', () => {
      setConnection('reconnecting');
      if (!socket.active) void retryLater();
    });
    const close = socket.close.bind(socket);
    socket.close = () => {
      clearTimeout(retryTimer);
      return close();
    };
    return socket;
  }

  /** `subscribe` with its acknowledgement; rejects on a refusal or after 10 s without an answer. */
  function subscribe(socket, payload) {
    return new Promise((resolve, reject) => {
      socket.timeout(10000).emit('subscribe', payload, (error, answer) => {
        if (error) reject(new Error('The server did not answer the subscription'));
        else if (!answer || answer.ok !== true)
          reject(new Error((answer && (answer.message || answer.error)) || 'Subscription refused'));
        else resolve(answer);
      });
    });
  }

  // ---------------------------------------------------------------- sign-in shell

  /**
   * Wires the sign-in form and the sign-out button, then starts the page when a token is known.
   * `page.start()` (re)loads everything; `page.stop()` drops sockets and timers.
   */
  function boot(page) {
    const signin = $('signin');
    const app = $('app');
    const form = $('signin-form');
    const input = $('signin-token');
    const error = $('signin-error');
    const reason = $('signin-reason');
    const signOut = $('sign-out');
    const defaultReason = reason.textContent;

    function showSignIn(message) {
      page.stop();
      setConnection('idle');
      app.hidden = true;
      signin.hidden = false;
      signOut.hidden = true;
      reason.textContent = message || defaultReason;
      showError(error, '');
      input.value = '';
      input.focus();
    }

    function showApp() {
      signin.hidden = true;
      app.hidden = false;
      signOut.hidden = false;
      page.start();
    }

    unauthorizedHandler = (message) => {
      clearToken();
      showSignIn('Your token was not accepted (' + message + '). Sign in again.');
    };

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) {
        showError(error, 'Enter an API token.');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      showError(error, '');
      try {
        const response = await fetch('/api/v1/incidents?limit=1', {
          headers: { authorization: 'Bearer ' + token, accept: 'application/json' },
          cache: 'no-store',
          credentials: 'omit',
        });
        if (response.status === 401) {
          const body = await response.json().catch(() => ({}));
          throw new Error('That token was not accepted' + (body && body.message ? ': ' + body.message : '.'));
        }
        if (!response.ok) throw new Error('Sign-in failed: the service answered ' + response.status + '.');
        input.removeAttribute('aria-invalid');
        setToken(token);
        input.value = '';
        showApp();
      } catch (failure) {
        const message = failure instanceof TypeError ? 'Sitrep cannot be reached. Try again.' : failure.message;
        showError(error, message);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        input.select();
      } finally {
        button.disabled = false;
      }
    });

    signOut.addEventListener('click', () => {
      clearToken();
      showSignIn('Signed out. Paste a token to sign in again.');
    });

    takeTokenFromUrl();
    if (getToken()) showApp();
    else showSignIn();
  }

  window.Sitrep = {
    ROLES,
    STATUS_LABEL,
    ApiError,
    $,
    h,
    append,
    announce,
    api,
    boot,
    connectTimeline,
    duration,
    externalLink,
    fullTime,
    safeHref,
    setConnection,
    severityBadge,
    severityRank,
    shortTime,
    showError,
    statusBadge,
    subscribe,
    timeEl,
  };
})();
