/*
 * Sandbox stand-in for the Forge host's side of @forge/bridge (served by the server at
 * /sandbox/forge-bridge.js, loaded before the app's bundle by /sandbox/forge-app).
 *
 * @forge/bridge calls `window.__bridge.callBridge(command, payload)` and awaits the promise it
 * returns; every module of @forge/bridge reads `window.__bridge` when it is imported, so this runs
 * first. The commands the app uses are answered here, the way @forge/bridge 7 expects them:
 *   invoke {path, method, headers?, body, invokeType: 'ui-remote-fetch'}  (invokeRemote)
 *          -> {success: true, payload: {status, headers, body}} for a 2xx, {success: false, error: {...}} else;
 *             POST /sandbox/api/forge-invoke plays Forge's side (a Forge Invocation Token, the app token).
 *   getContext                      -> the Forge context, `extension.modal` holding the Modal's context in a modal
 *   openModal {resource, onClose, size, context, closeOnEscape, closeOnOverlayClick, title, icon} -> true
 *   close {payload}                 -> true in a modal (whose opener's onClose gets the payload), false elsewhere
 *   showFlag {id, title, description, type, appearance, actions, isAutoDismiss}, closeFlag {id}
 *   enableTheming                   -> undefined; from then on the host sends {type: 'theme', colorMode, auto} now and
 *                                      on every change, written on this frame's <html> as Forge does
 *                                      (data-color-mode, data-color-mode-auto when following the browser, data-theme)
 * Any other command rejects: the sandbox does not play it.
 *
 * Everything but invoke is a postMessage to window.parent (the sandbox host page, same origin),
 * answered by sandbox/src/host/forge-host.ts. Messages carry `ns: "ati-sandbox-forge"`:
 *   iframe -> host: {type: <command>, requestId, ...}
 *   host -> iframe: {type: 'result', requestId, value} | {type: 'error', requestId, message}
 *                   | {type: 'modalClosed', modalId, payload}
 */
(function () {
  'use strict';
  if (window.__bridge && window.__bridge.__atiSandbox) return;

  var NS = 'ati-sandbox-forge';
  var ORIGIN = window.location.origin;
  var host = window.parent && window.parent !== window ? window.parent : null;
  var counter = 0;
  var pending = {};
  var modalCloseHandlers = {};

  function nextId(prefix) {
    counter += 1;
    return prefix + '-' + Date.now().toString(36) + '-' + counter;
  }

  /** JSON round trip: postMessage cannot clone functions (a flag's actions, a modal's onClose). */
  function plain(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  /** Asks the host page; resolves with its answer. */
  function ask(type, fields) {
    if (!host) return Promise.reject(new Error('[sandbox @forge/bridge] not framed: no Forge host to ask for ' + type));
    return new Promise(function (resolve, reject) {
      var requestId = nextId(type);
      pending[requestId] = { resolve: resolve, reject: reject };
      var message = plain(fields || {});
      message.ns = NS;
      message.type = type;
      message.requestId = requestId;
      host.postMessage(message, ORIGIN);
    });
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== ORIGIN || !host || event.source !== host) return;
    var message = event.data;
    if (!message || message.ns !== NS) return;
    if (message.type === 'result' || message.type === 'error') {
      var waiter = pending[message.requestId];
      delete pending[message.requestId];
      if (!waiter) return;
      if (message.type === 'result') waiter.resolve(message.value);
      else waiter.reject(new Error(message.message));
    } else if (message.type === 'theme') {
      var root = document.documentElement;
      root.setAttribute('data-theme', 'dark:dark light:light spacing:spacing typography:typography');
      root.setAttribute('data-color-mode', message.colorMode === 'dark' ? 'dark' : 'light');
      if (message.auto) root.setAttribute('data-color-mode-auto', '');
      else root.removeAttribute('data-color-mode-auto');
    } else if (message.type === 'modalClosed') {
      var onClose = modalCloseHandlers[message.modalId];
      delete modalCloseHandlers[message.modalId];
      if (typeof onClose === 'function') {
        try {
          onClose(message.payload);
        } catch (error) {
          console.error(error);
        }
      }
    }
  });

  /** Forge's side of invokeRemote: the sandbox server calls the app as Forge would. */
  function invokeRemote(payload) {
    var request = { path: payload.path, method: payload.method, body: payload.body };
    return fetch('/sandbox/api/forge-invoke', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(request),
    }).then(function (response) {
      return response.json().then(
        function (answer) {
          // The server refused what Forge's invokeRemote rejects: the promise rejects with Forge's message.
          if (!response.ok) throw new Error((answer && answer.message) || 'Invalid response from remote');
          var ok = answer.status >= 200 && answer.status < 300;
          return ok ? { success: true, payload: answer } : { success: false, error: answer };
        },
        function () {
          throw new Error('Invalid response from remote');
        },
      );
    });
  }

  function callBridge(command, payload) {
    switch (command) {
      case 'invoke':
        if (!payload || payload.invokeType !== 'ui-remote-fetch') {
          return Promise.reject(new Error('[sandbox @forge/bridge] only invokeRemote is played (no Forge functions, no containers)'));
        }
        return invokeRemote(payload);
      case 'getContext':
        return ask('getContext');
      case 'openModal': {
        var options = payload || {};
        var modalId = nextId('modal');
        modalCloseHandlers[modalId] = options.onClose;
        return ask('openModal', {
          modalId: modalId,
          options: {
            resource: options.resource,
            size: options.size,
            context: options.context,
            closeOnEscape: options.closeOnEscape,
            closeOnOverlayClick: options.closeOnOverlayClick,
            title: options.title,
          },
        }).then(function (opened) {
          if (!opened) delete modalCloseHandlers[modalId];
          return opened;
        });
      }
      case 'close':
        return ask('close', { payload: payload });
      case 'showFlag': {
        var flag = payload || {};
        return ask('showFlag', {
          options: {
            id: String(flag.id),
            title: flag.title,
            description: flag.description,
            type: flag.type,
            appearance: flag.appearance,
            isAutoDismiss: flag.isAutoDismiss,
          },
        });
      }
      case 'closeFlag':
        return ask('closeFlag', { id: String(payload && payload.id) });
      case 'enableTheming':
        return ask('enableTheming');
      default:
        return Promise.reject(new Error('[sandbox @forge/bridge] "' + command + '" is not played by the sandbox'));
    }
  }

  window.__bridge = { __atiSandbox: true, callBridge: callBridge };
})();
