/*
 * Causette chat widget: one <script> tag puts a French chat window on any page.
 *
 *   <script src="https://bot.example.fr/widget/causette-widget.js" defer
 *           data-title="Causette Scooters" data-color="#0b6e4f"></script>
 *
 * Options come from the tag's data-* attributes or from window.CausetteConfig (attributes win):
 * server (default: where this script comes from), title, color, textColor, greeting.
 * It talks to the server over the WebSocket protocol described in the README. Everything the bot
 * or the user writes is shown with textContent: never parsed as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.Causette) {
    return; // loaded twice, or not from a classic <script src>: one widget per page
  }

  var SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
  var PING_EVERY_MS = 25000; // browsers cannot see WebSocket pings: ping in the protocol instead
  var SILENCE_LIMIT_MS = 35000; // no frame for this long after a ping: the connection is dead
  var BACKOFF_FIRST_MS = 500;
  var BACKOFF_MAX_MS = 30000;
  var ATTEMPTS_BEFORE_OFFLINE = 4;

  var STATE_LABELS = {
    connecting: "Connexion…",
    open: "Connecté",
    reconnecting: "Reconnexion…",
    offline: "Hors ligne"
  };
  var ERROR_LABELS = {
    text_too_long: "Message trop long : raccourcissez-le, s'il vous plaît.",
    too_many_pending: "Un instant : je réponds d'abord à vos messages précédents.",
    store_unavailable: "Le service est momentanément indisponible. Réessayez dans un instant.",
    internal_error: "Une erreur est survenue. Pouvez-vous réessayer ?"
  };
  var GENERIC_ERROR = "Ce message n'a pas pu être traité.";

  function readConfig() {
    var base = window.CausetteConfig || {};
    var data = script.dataset;
    var scriptUrl = new URL(script.src, document.baseURI);
    return {
      server: new URL(data.server || base.server || scriptUrl.origin, document.baseURI),
      title: data.title || base.title || "Causette",
      color: data.color || base.color || "#0b6e4f",
      textColor: data.textColor || base.textColor || "#ffffff",
      greeting: data.greeting || base.greeting ||
        "Bonjour ! Posez votre question, je vous réponds tout de suite.",
      stylesheet: new URL("causette-widget.css", scriptUrl).href
    };
  }

  /* Storage may be refused (private browsing, blocked cookies): the widget then works without
     memory across reloads instead of failing. */
  function storage(area) {
    try {
      var store = window[area];
      store.setItem("causette.probe", "1");
      store.removeItem("causette.probe");
      return store;
    } catch (error) {
      return null;
    }
  }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "text") {
        node.textContent = attributes.text;
      } else {
        node.setAttribute(name, attributes[name]);
      }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function icon(pathData) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", pathData);
    svg.appendChild(path);
    return svg;
  }

  var ICON_CHAT = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
  var ICON_CLOSE = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z";
  var ICON_SEND = "M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z";

  /* The widget's elements, inside a shadow root so the host page's CSS cannot break it. */
  function buildView(config) {
    var host = el("div", { id: "causette-widget" });
    host.style.display = "none"; // shown once its stylesheet has loaded: no unstyled flash
    host.style.setProperty("--cw-accent", config.color);
    host.style.setProperty("--cw-on-accent", config.textColor);
    var root = host.attachShadow({ mode: "open" });
    var stylesheet = el("link", { rel: "stylesheet", href: config.stylesheet });
    stylesheet.addEventListener("load", function () { host.style.display = ""; });
    stylesheet.addEventListener("error", function () { host.style.display = ""; });

    var view = {
      host: host,
      launcher: el("button", {
        type: "button", "class": "launcher", "aria-expanded": "false",
        "aria-controls": "cw-panel", "aria-label": "Ouvrir la discussion"
      }, [icon(ICON_CHAT)]),
      statusText: el("span", { "class": "status-text", text: STATE_LABELS.connecting }),
      close: el("button", { type: "button", "class": "close", "aria-label": "Fermer la discussion" },
        [icon(ICON_CLOSE)]),
      log: el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-relevant": "additions" }),
      typing: el("div", { "class": "typing", hidden: "" }, [
        el("span", { "class": "dot" }), el("span", { "class": "dot" }), el("span", { "class": "dot" }),
        el("span", { "class": "sr-only", text: config.title + " écrit…" })
      ]),
      replies: el("div", {
        "class": "quick-replies", role: "group", "aria-label": "Réponses suggérées", hidden: ""
      }),
      input: el("textarea", {
        id: "cw-input", rows: "1", placeholder: "Écrivez votre message…", autocomplete: "off"
      }),
      send: el("button", { type: "submit", "class": "send", "aria-label": "Envoyer" }, [icon(ICON_SEND)])
    };
    view.status = el("p", { "class": "status", role: "status" }, [
      el("span", { "class": "status-dot", "aria-hidden": "true" }), view.statusText
    ]);
    // Typing dots and quick replies scroll with the messages but stay out of the live region.
    view.scroller = el("div", { "class": "scroller", role: "region", "aria-label": "Conversation", tabindex: "0" },
      [view.log, view.typing, view.replies]);
    view.form = el("form", { "class": "composer" }, [
      el("label", { "for": "cw-input", "class": "sr-only", text: "Votre message" }), view.input, view.send
    ]);
    view.panel = el("section", {
      id: "cw-panel", "class": "panel", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "cw-title", hidden: ""
    }, [
      el("header", {}, [
        el("div", { "class": "heading" }, [el("h2", { id: "cw-title", text: config.title }), view.status]),
        view.close
      ]),
      view.scroller, view.form
    ]);
    view.greeting = el("p", { "class": "greeting", text: config.greeting });
    [stylesheet, view.panel, view.launcher].forEach(function (node) { root.appendChild(node); });
    return view;
  }

  function Widget(config) {
    this.config = config;
    this.view = buildView(config);
    this.local = storage("localStorage");
    this.tab = storage("sessionStorage");
    this.sessionKey = "causette.session." + config.server.origin;
    this.openKey = "causette.open." + config.server.origin;
    this.socket = null;
    this.attempts = 0;
    this.retryTimer = null;
    this.heartbeat = null;
    this.lastFrameAt = 0;
    this.nextId = 1;
    this.sent = {}; // message id -> its bubble, to mark the one an error frame refers to
    this.bind();
    this.showGreeting();
  }

  Widget.prototype.bind = function () {
    var self = this;
    var view = this.view;
    view.launcher.addEventListener("click", function () { self.toggle(); });
    view.close.addEventListener("click", function () { self.close(); });
    view.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        self.close();
      }
    });
    view.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.submit();
      }
    });
    view.input.addEventListener("input", function () { self.fitInput(); });
    view.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submit();
    });
    window.addEventListener("online", function () { self.reconnectNow(); });
    window.addEventListener("offline", function () {
      // Only a label: an open socket may well survive, and the heartbeat finds out if not.
      if (!self.isOpen()) { self.setState("offline"); }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { self.reconnectNow(); }
    });
  };

  Widget.prototype.mount = function () {
    document.body.appendChild(this.view.host);
    var wasOpen = this.tab !== null && this.tab.getItem(this.openKey) === "1";
    // A returning visitor gets the conversation back at once; a new one connects when opening.
    if (wasOpen) {
      this.open(false);
    } else if (this.storedSession()) {
      this.connect();
    }
  };

  /* Panel */

  Widget.prototype.toggle = function () {
    if (this.view.panel.hidden) { this.open(true); } else { this.close(); }
  };

  Widget.prototype.open = function (takeFocus) {
    this.showPanel(true);
    if (!this.socket) { this.connect(); }
    this.scrollToEnd();
    if (takeFocus) { this.view.input.focus(); }
  };

  Widget.prototype.close = function () {
    this.showPanel(false);
    this.view.launcher.focus();
  };

  /* The panel's visibility, the launcher that mirrors it, and the memory of it for a reload. */
  Widget.prototype.showPanel = function (visible) {
    var view = this.view;
    view.panel.hidden = !visible;
    view.host.classList.toggle("is-open", visible);
    view.launcher.setAttribute("aria-expanded", String(visible));
    view.launcher.setAttribute("aria-label", visible ? "Fermer la discussion" : "Ouvrir la discussion");
    view.launcher.replaceChildren(icon(visible ? ICON_CLOSE : ICON_CHAT));
    if (this.tab && visible) {
      this.tab.setItem(this.openKey, "1");
    } else if (this.tab) {
      this.tab.removeItem(this.openKey);
    }
  };

  /* Connection */

  Widget.prototype.storedSession = function () {
    var id = this.local && this.local.getItem(this.sessionKey);
    return id && SESSION_ID.test(id) ? id : null;
  };

  Widget.prototype.socketUrl = function () {
    var url = new URL("/api/v1/ws", this.config.server);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    var session = this.storedSession();
    if (session) { url.searchParams.set("session_id", session); }
    return url.href;
  };

  Widget.prototype.connect = function () {
    var self = this;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setState(this.attempts === 0 ? "connecting" : this.retryState());
    var socket = new WebSocket(this.socketUrl());
    this.socket = socket;
    socket.addEventListener("open", function () {
      if (socket !== self.socket) { return; }
      self.attempts = 0;
      self.lastFrameAt = Date.now();
      self.startHeartbeat();
      self.setState("open");
    });
    socket.addEventListener("message", function (event) {
      if (socket !== self.socket) { return; }
      self.lastFrameAt = Date.now();
      self.receive(event.data);
    });
    socket.addEventListener("close", function () {
      if (socket !== self.socket) { return; }
      self.scheduleReconnect();
    });
  };

  Widget.prototype.retryState = function () {
    var offline = navigator.onLine === false || this.attempts >= ATTEMPTS_BEFORE_OFFLINE;
    return offline ? "offline" : "reconnecting";
  };

  Widget.prototype.scheduleReconnect = function () {
    var self = this;
    this.stopHeartbeat();
    this.showTyping(false);
    this.attempts += 1;
    this.setState(this.retryState());
    // Exponential backoff with jitter, so a restarted server is not hit by every widget at once.
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, this.attempts - 1));
    var delay = ceiling / 2 + Math.random() * ceiling / 2;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(function () { self.connect(); }, delay);
  };

  Widget.prototype.reconnectNow = function () {
    if (this.retryTimer !== null) { this.connect(); }
  };

  Widget.prototype.startHeartbeat = function () {
    var self = this;
    this.stopHeartbeat();
    this.heartbeat = setInterval(function () {
      if (Date.now() - self.lastFrameAt > SILENCE_LIMIT_MS) {
        self.socket.close();
        self.scheduleReconnect(); // do not wait for the close handshake of a dead connection
        self.socket = null;
        return;
      }
      self.sendFrame({ type: "ping" });
    }, PING_EVERY_MS);
  };

  Widget.prototype.stopHeartbeat = function () {
    clearInterval(this.heartbeat);
    this.heartbeat = null;
  };

  Widget.prototype.isOpen = function () {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  };

  Widget.prototype.sendFrame = function (frame) {
    if (!this.isOpen()) { return false; }
    this.socket.send(JSON.stringify(frame));
    return true;
  };

  Widget.prototype.setState = function (state) {
    this.view.panel.dataset.state = state;
    this.view.statusText.textContent = STATE_LABELS[state];
    this.view.send.disabled = state !== "open";
  };

  /* Frames from the server */

  Widget.prototype.receive = function (data) {
    var frame;
    try {
      frame = JSON.parse(data);
    } catch (error) {
      return;
    }
    var handlers = {
      welcome: this.onWelcome,
      history: this.onHistory,
      typing: function (f) { this.showTyping(f.active); },
      bot: this.onBot,
      error: this.onError
    };
    if (handlers[frame.type]) { handlers[frame.type].call(this, frame); }
  };

  Widget.prototype.onWelcome = function (frame) {
    if (this.local) { this.local.setItem(this.sessionKey, frame.session_id); }
    this.view.input.maxLength = frame.max_text_chars;
  };

  /* The server's history is the truth: it replaces what is shown, including turns that
     completed while this page was away. */
  Widget.prototype.onHistory = function (frame) {
    var log = this.view.log;
    log.setAttribute("aria-busy", "true"); // screen readers: do not read the replay out
    log.replaceChildren();
    this.sent = {};
    this.showGreeting();
    var self = this;
    frame.messages.forEach(function (entry) { self.addMessage(entry.role, entry.text); });
    var last = frame.messages[frame.messages.length - 1];
    this.showQuickReplies(last && last.role === "bot" ? last.quick_replies : []);
    log.setAttribute("aria-busy", "false");
  };

  Widget.prototype.onBot = function (frame) {
    var self = this;
    this.showTyping(false);
    frame.messages.forEach(function (message) { self.addMessage("bot", message.text); });
    var last = frame.messages[frame.messages.length - 1];
    this.showQuickReplies(last ? last.quick_replies : []);
  };

  Widget.prototype.onError = function (frame) {
    if (frame.code === "invalid_session_id" && this.local) {
      this.local.removeItem(this.sessionKey); // the reconnect that follows starts a new session
      return;
    }
    this.showTyping(false);
    var bubble = frame.reply_to && this.sent[frame.reply_to];
    var note = el("p", { "class": "error", role: "alert", text: ERROR_LABELS[frame.code] || GENERIC_ERROR });
    if (bubble) {
      bubble.classList.add("failed");
      bubble.appendChild(note);
    } else {
      this.view.log.appendChild(note);
    }
    this.scrollToEnd();
  };

  /* Conversation */

  Widget.prototype.submit = function () {
    var text = this.view.input.value;
    if (!text.trim() || !this.isOpen()) { return; }
    this.sendMessage(text);
    this.view.input.value = "";
    this.fitInput();
  };

  Widget.prototype.sendMessage = function (text) {
    var id = "m" + this.nextId++;
    if (!this.sendFrame({ type: "message", text: text, id: id })) { return; }
    this.sent[id] = this.addMessage("user", text);
    this.showQuickReplies([]);
  };

  Widget.prototype.addMessage = function (role, text) {
    var who = role === "user" ? "Vous" : this.config.title;
    var message = el("div", { "class": "message " + role }, [
      el("span", { "class": "sr-only", text: who + " : " }),
      el("p", { "class": "bubble", text: text })
    ]);
    this.view.log.appendChild(message);
    return message;
  };

  Widget.prototype.showGreeting = function () {
    if (!this.view.log.contains(this.view.greeting)) {
      this.view.log.appendChild(this.view.greeting);
    }
  };

  Widget.prototype.showQuickReplies = function (labels) {
    var self = this;
    var replies = this.view.replies;
    replies.replaceChildren();
    (labels || []).forEach(function (label) {
      var button = el("button", { type: "button", "class": "quick-reply", text: label });
      button.addEventListener("click", function () {
        if (self.isOpen()) {
          self.sendMessage(label);
          self.view.input.focus();
        }
      });
      replies.appendChild(button);
    });
    replies.hidden = replies.childElementCount === 0;
    this.scrollToEnd();
  };

  Widget.prototype.showTyping = function (active) {
    this.view.typing.hidden = !active;
    if (active) { this.scrollToEnd(); }
  };

  Widget.prototype.scrollToEnd = function () {
    var scroller = this.view.scroller;
    scroller.scrollTop = scroller.scrollHeight;
  };

  Widget.prototype.fitInput = function () {
    var input = this.view.input;
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  };

  function start() {
    var widget = new Widget(readConfig());
    widget.mount();
    window.Causette = {
      open: function () { widget.open(true); },
      close: function () { widget.close(); }
    };
  }

  window.Causette = {}; // claimed now: a second copy of this script on the page stays inert
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
