/*
 * Sandbox stand-in for Atlassian Connect's all.js (served by the server at /sandbox/all.js).
 *
 * Runs inside the app's iframes (the admin page and its dialogs) and defines the parts of
 * `window.AP` the app uses. Everything that needs the host is a postMessage to window.parent
 * (the sandbox host page, same origin), answered by sandbox/src/host/connect-host.ts.
 *
 * Messages carry `ns: "ati-sandbox-ap"`:
 *   iframe -> host: dialog.create {dialogId, options}, dialog.close {data},
 *                   dialog.getCustomData {requestId}, flag.create {flagId, options}, flag.close {flagId},
 *                   theming.initialize
 *   host -> iframe: dialog.closed {dialogId, data}, dialog.customData {requestId, data},
 *                   theming.theme {colorMode: 'light'|'dark', auto} (now and on every change, once initialized)
 * AP.theming.initializeTheming() writes the host's theme on this frame's <html> as Jira does:
 * data-color-mode (the mode to render), data-color-mode-auto (when it follows the browser), data-theme.
 * A dialog iframe also finds its customData in its URL fragment: #ap-custom-data=<JSON>.
 */
(function () {
  'use strict';
  if (window.AP && window.AP.__atiSandbox) return;

  var NS = 'ati-sandbox-ap';
  var ORIGIN = window.location.origin;
  var host = window.parent && window.parent !== window ? window.parent : null;
  var counter = 0;
  var closeHandlers = {};
  var customDataWaiters = {};

  function nextId(prefix) {
    counter += 1;
    return prefix + '-' + Date.now().toString(36) + '-' + counter;
  }

  function post(message) {
    if (!host) {
      console.warn('[sandbox all.js] not framed: no host to talk to', message.type);
      return false;
    }
    message.ns = NS;
    host.postMessage(message, ORIGIN);
    return true;
  }

  /** JSON round trip: postMessage cannot clone functions and the real AP sends JSON anyway. */
  function plain(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== ORIGIN || event.source !== host) return;
    var message = event.data;
    if (!message || message.ns !== NS) return;
    if (message.type === 'dialog.closed') {
      var handlers = closeHandlers[message.dialogId] || [];
      delete closeHandlers[message.dialogId];
      handlers.forEach(function (handler) {
        try {
          handler(message.data);
        } catch (error) {
          console.error(error);
        }
      });
    } else if (message.type === 'theming.theme') {
      applyTheme(message);
    } else if (message.type === 'dialog.customData') {
      var waiter = customDataWaiters[message.requestId];
      delete customDataWaiters[message.requestId];
      if (waiter) waiter(message.data);
    }
  });

  // --- context.getToken: POST /sandbox/api/context-token, cached until a minute before exp.
  var cached = null;
  var inflight = null;

  function expiryMs(token) {
    try {
      var part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      while (part.length % 4) part += '=';
      var payload = JSON.parse(atob(part));
      return typeof payload.exp === 'number' ? payload.exp * 1000 : 0;
    } catch (error) {
      return 0;
    }
  }

  function fetchToken() {
    if (cached && cached.refreshAt > Date.now()) return Promise.resolve(cached.token);
    if (inflight) return inflight;
    inflight = fetch('/sandbox/api/context-token', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: '{}',
    })
      .then(function (response) {
        if (!response.ok) throw new Error('POST /sandbox/api/context-token answered ' + response.status);
        return response.json();
      })
      .then(function (body) {
        var exp = expiryMs(body.token);
        cached = { token: body.token, refreshAt: exp ? exp - 60 * 1000 : Date.now() + 60 * 1000 };
        return body.token;
      });
    inflight.then(
      function () {
        inflight = null;
      },
      function () {
        inflight = null;
      },
    );
    return inflight;
  }

  // --- dialog custom data from the URL fragment
  function fragmentCustomData() {
    var match = /(?:^#|&)ap-custom-data=([^&]*)/.exec(window.location.hash);
    if (!match) return { found: false };
    try {
      return { found: true, data: JSON.parse(decodeURIComponent(match[1])) };
    } catch (error) {
      return { found: false };
    }
  }

  function applyTheme(theme) {
    var root = document.documentElement;
    var mode = theme.colorMode === 'dark' ? 'dark' : 'light';
    root.setAttribute('data-theme', 'dark:dark light:light spacing:spacing typography:typography');
    root.setAttribute('data-color-mode', mode);
    if (theme.auto) root.setAttribute('data-color-mode-auto', '');
    else root.removeAttribute('data-color-mode-auto');
  }

  function noop() {}

  window.AP = {
    __atiSandbox: true,

    context: {
      getToken: function (callback) {
        var promise = fetchToken();
        if (typeof callback === 'function')
          promise.then(callback, function (error) {
            console.error('[sandbox all.js]', error);
          });
        return promise;
      },
    },

    dialog: {
      create: function (options) {
        var dialogId = nextId('dialog');
        closeHandlers[dialogId] = [];
        post({ type: 'dialog.create', dialogId: dialogId, options: plain(options || {}) });
        var dialog = {
          on: function (event, handler) {
            if (event === 'close' && typeof handler === 'function' && closeHandlers[dialogId]) {
              closeHandlers[dialogId].push(handler);
            }
            return dialog;
          },
        };
        return dialog;
      },
      getCustomData: function (callback) {
        var fromFragment = fragmentCustomData();
        if (fromFragment.found) {
          setTimeout(function () {
            callback(fromFragment.data);
          }, 0);
          return;
        }
        var requestId = nextId('custom-data');
        customDataWaiters[requestId] = callback;
        if (!post({ type: 'dialog.getCustomData', requestId: requestId })) {
          delete customDataWaiters[requestId];
          setTimeout(function () {
            callback(undefined);
          }, 0);
        }
      },
      close: function (data) {
        post({ type: 'dialog.close', data: plain(data) });
      },
    },

    flag: {
      create: function (options) {
        var flagId = nextId('flag');
        post({ type: 'flag.create', flagId: flagId, options: plain(options || {}) });
        return {
          close: function () {
            post({ type: 'flag.close', flagId: flagId });
          },
        };
      },
    },

    theming: {
      initializeTheming: function () {
        post({ type: 'theming.initialize' });
      },
    },

    resize: noop,
    sizeToParent: noop,
    events: { on: noop, once: noop, off: noop, emit: noop },
  };
})();
