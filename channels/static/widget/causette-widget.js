/*
 * Causette chat widget: one <script> tag puts a French chat window on any page.
 *
 *   <script src="https://bot.example.fr/widget/causette-widget.js" defer
 *           data-title="Causette Scooters" data-color="#0b6e4f"></script>
 *
 * Options come from the tag's data-* attributes or from window.CausetteConfig (attributes win):
 * server (default: where this script comes from), title, color, textColor, greeting, and
 * privacyUrl (data-privacy-url: the site's privacy page, linked from the widget's short notice).
 * It talks to the server over the WebSocket protocol described in the README. Everything the bot
 * or the user writes is shown as text (textContent, text nodes): never parsed as HTML. Links in
 * bot texts are elements built from the matched text, with an href of our own making.
 *
 * Bot messages are typed: text (with quick replies), buttons, image, card and carousel. Each is
 * DOM built here from its texts; a payload button sends its payload as the visitor's message, a
 * link button opens only an http(s), mailto: or tel: address, an image always has its alt text.
 * Nothing sets a style attribute in markup, so a page may forbid inline styles (CSP).
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
  var DEFAULT_MAX_TEXT_CHARS = 1000; // the server's default, until its welcome frame says otherwise
  var COUNTER_FROM = 0.9; // the counter shows once a message uses this share of the limit

  var STATE_LABELS = {
    connecting: "Connexion…",
    open: "Connecté",
    reconnecting: "Reconnexion…",
    offline: "Hors ligne"
  };
  var ERROR_LABELS = {
    text_too_long: "Message trop long : raccourcissez-le, s’il vous plaît.",
    too_many_pending: "Un instant : je réponds d’abord à vos messages précédents.",
    store_unavailable: "Le service est momentanément indisponible. Réessayez dans un instant.",
    internal_error: "Une erreur est survenue. Pouvez-vous réessayer ?"
  };
  var GENERIC_ERROR = "Ce message n’a pas pu être traité.";
  var CANNOT_SEND = {
    offline: "Pas de connexion Internet : vos messages partiront dès son retour.",
    reconnecting: "Le service ne répond plus, reconnexion en cours : vos messages partiront dès son retour."
  };
  var PENDING_LABEL = "En attente d’envoi";
  var PRIVACY_TEXT = "Vos messages sont enregistrés pour vous répondre.";
  var PRIVACY_LINK = "Confidentialité";
  var ERASE = {
    label: "Effacer la conversation",
    question: "Effacer toute la conversation ? Elle sera aussi supprimée du serveur.",
    confirm: "Effacer",
    cancel: "Annuler",
    done: "Conversation effacée. Vous pouvez en commencer une nouvelle.",
    failed: "La conversation n’a pas pu être effacée. Réessayez dans un instant."
  };
  var WEB_SCHEMES = ["http:", "https:"];
  var LINK_SCHEMES = WEB_SCHEMES.concat(["mailto:", "tel:"]);

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
      privacyUrl: webUrl(data.privacyUrl || base.privacyUrl || "", document.baseURI),
      stylesheet: new URL("causette-widget.css", scriptUrl).href
    };
  }

  /* ``text`` as an absolute http(s) address, or null: no other scheme ever becomes an href. */
  function webUrl(text, base) {
    return safeUrl(text, base, WEB_SCHEMES);
  }

  /* ``text`` (absolute, or relative to ``base``) as an address with one of ``schemes``, or null.
     The server checks every message already; the widget does not trust it blindly. */
  function safeUrl(text, base, schemes) {
    var url;
    try {
      url = new URL(String(text || ""), base);
    } catch (error) {
      return null;
    }
    return text && schemes.indexOf(url.protocol) >= 0 ? url.href : null;
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

  /* Bot text, shown well: web addresses, e-mail addresses and French phone numbers become links,
     and the rest gets French typography. Each link stands as LINK_MARK while typography runs, so
     typography sees the sentence whole but never touches an address ("https:", an e-mail address),
     and a link's href is always one of ours. */

  var LINKS = new RegExp([
    "(https?:\\/\\/[^\\s<>\"«»]+|www\\.[^\\s<>\"«»]+)", // web address
    "([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,})", // e-mail address
    "(?<![\\w+])((?:\\+33|0033|0)[\\s.]?(?:\\(0\\)\\s?)?[1-9](?:[\\s.-]?\\d{2}){4})(?!\\d)" // French phone
  ].join("|"), "gi");
  var TRAILING = /[.,;:!?'’"»]$/; // sentence punctuation after an address is not part of it
  var LINK_MARK = "\ufffc"; // the object replacement character: nothing a bot text means to say

  var NARROW_NBSP = "\u202f"; // before ; ! ? and inside « »
  var NBSP = "\u00a0"; // before :
  var TYPOGRAPHY = [
    [/(\p{L})'(?=\p{L})/gu, "$1’"],
    [/[ \t\u00a0\u202f]+(?=[;!?])/gu, NARROW_NBSP],
    [/([\p{L}\p{N})»\ufffc])(?=[;!?]+(?:\s|$))/gu, "$1" + NARROW_NBSP],
    [/[ \t\u00a0\u202f]+:/gu, NBSP + ":"],
    [/([\p{L}\ufffc])(?=:(?:\s|$))/gu, "$1" + NBSP], // "10:30" keeps its colon: only after a letter
    [/«[ \t\u00a0\u202f]*/gu, "«" + NARROW_NBSP],
    [/[ \t\u00a0\u202f]*»/gu, NARROW_NBSP + "»"]
  ];

  function frenchTypography(text) {
    return TYPOGRAPHY.reduce(function (result, rule) { return result.replace(rule[0], rule[1]); }, text);
  }

  /* The address at the start of ``raw`` without the punctuation that ends the sentence; a closing
     parenthesis stays when the address opened one (Wikipedia-style addresses). */
  function trimAddress(raw) {
    var text = raw;
    for (;;) {
      var last = text.charAt(text.length - 1);
      var unbalanced = last === ")" && text.split("(").length < text.split(")").length;
      if (!TRAILING.test(last) && !unbalanced) { return text; }
      text = text.slice(0, -1);
    }
  }

  /* "01 06 07 08 09", "+33 (0)1 06 07 08 09", "0033 1.06.07.08.09": one tel: href. */
  function telHref(number) {
    var digits = number.replace(/\D/g, "");
    if (number.charAt(0) === "+") { digits = digits.slice(2); }
    if (digits.indexOf("0033") === 0) { digits = digits.slice(4); }
    return "tel:+33" + digits.replace(/^0/, "");
  }

  /* {text, href, web} for one match of LINKS (its three groups), or null when it makes no safe link. */
  function linkFor(web, email, phone) {
    if (web) {
      var href = webUrl(/^www\./i.test(web) ? "https://" + web : web);
      return href && { text: web, href: href, web: true };
    }
    if (email) { return { text: email, href: "mailto:" + email, web: false }; }
    // A phone number does not wrap across lines.
    return { text: phone.replace(/\s/g, NBSP), href: telHref(phone), web: false };
  }

  function linkNode(link) {
    var anchor = el("a", { href: link.href, text: link.text });
    if (link.web) {
      anchor.setAttribute("target", "_blank");
      anchor.setAttribute("rel", "noopener noreferrer");
      anchor.setAttribute("aria-describedby", "cw-new-tab");
    }
    return anchor;
  }

  /* A bot text as DOM nodes: text nodes and links, never markup. */
  function botText(text) {
    var links = [];
    var masked = text.split(LINK_MARK).join("").replace(LINKS, function (match, web, email, phone) {
      var address = web ? trimAddress(web) : match;
      var link = linkFor(web && address, email, phone);
      if (!link) { return match; }
      links.push(link);
      return LINK_MARK + match.slice(address.length);
    });
    var fragment = document.createDocumentFragment();
    frenchTypography(masked).split(LINK_MARK).forEach(function (part, index) {
      if (index > 0) { fragment.appendChild(linkNode(links[index - 1])); }
      fragment.appendChild(document.createTextNode(part));
    });
    return fragment;
  }

  /* One message of the conversation: who said it (for screen readers) and the bubble. */
  function messageNode(role, who, text) {
    var bubble = el("p", { "class": "bubble" });
    if (role === "bot") {
      bubble.appendChild(botText(text));
    } else {
      bubble.textContent = text;
    }
    return el("div", { "class": "message " + role }, [el("span", { "class": "sr-only", text: who + " : " }), bubble]);
  }

  /* Typed bot messages as DOM. ``context`` gives what they need from the widget: the server
     (paths in links and images are on it), a way to send a payload, and unique ids. */

  function actionNode(button, context) {
    var label = frenchTypography(String(button.label || ""));
    if (button.url) {
      var href = safeUrl(button.url, context.server, LINK_SCHEMES);
      if (!href) { return el("span", { "class": "action disabled", text: label }); }
      var web = /^https?:/.test(href);
      var link = linkNode({ text: label, href: href, web: web });
      link.classList.add("action", "action-link");
      return link;
    }
    var node = el("button", { type: "button", "class": "action", text: label });
    node.addEventListener("click", function () { context.send(String(button.payload)); });
    return node;
  }

  function actionsNode(buttons, context, name) {
    var group = el("div", { "class": "actions", role: "group", "aria-label": name });
    (buttons || []).forEach(function (button) { group.appendChild(actionNode(button, context)); });
    return group;
  }

  /* An image; its alt text in its place when its address is not one to load or it fails to load. */
  function imageNode(image, context, className) {
    var src = safeUrl(image.url, context.server, WEB_SCHEMES);
    var alt = String(image.alt || "");
    var missing = el("p", { "class": className + " image-missing", text: alt });
    if (!src) { return missing; }
    var img = el("img", { "class": className, src: src, alt: alt, decoding: "async" });
    img.addEventListener("error", function () { img.replaceWith(missing); });
    return img;
  }

  /* A card; ``place`` ("1 sur 3 : ") is read before its title by screen readers. */
  function cardNode(card, context, place) {
    var titleId = context.id("cw-card");
    var node = el("article", { "class": "card", "aria-labelledby": titleId });
    if (card.image) { node.appendChild(imageNode(card.image, context, "card-image")); }
    var title = el("h3", { id: titleId, "class": "card-title", text: frenchTypography(String(card.title)) });
    if (place) { title.prepend(el("span", { "class": "sr-only", text: place })); }
    var body = el("div", { "class": "card-body" }, [title]);
    if (card.text) { body.appendChild(el("p", { "class": "card-text" }, [botText(String(card.text))])); }
    if (card.buttons && card.buttons.length) {
      body.appendChild(actionsNode(card.buttons, context, "Actions : " + card.title));
    }
    node.appendChild(body);
    return node;
  }

  /* Cards side by side, scrolled sideways: the strip takes the focus so that arrow keys scroll it,
     and each card says its place ("1 sur 3") to screen readers. */
  function carouselNode(message, context) {
    var cards = message.cards || [];
    var strip = el("ul", {
      "class": "carousel", role: "list", tabindex: "0",
      "aria-label": "Carrousel de " + cards.length + (cards.length > 1 ? " cartes" : " carte") +
        ", faites défiler horizontalement"
    });
    cards.forEach(function (card, index) {
      var place = (index + 1) + " sur " + cards.length + " : ";
      strip.appendChild(el("li", { "class": "carousel-item" }, [cardNode(card, context, place)]));
    });
    return strip;
  }

  /* One bot message of any type as the nodes that go in its row; an unknown type shows its text
     if it has one (a newer server), else nothing. */
  function botMessageParts(message, context) {
    switch (message.type) {
      case "buttons":
        return [
          el("p", { "class": "bubble" }, [botText(String(message.text))]),
          actionsNode(message.buttons, context, "Choix proposés")
        ];
      case "image":
        return [imageNode(message, context, "image")];
      case "card":
        return [cardNode(message, context, null)];
      case "carousel":
        return [carouselNode(message, context)];
      default:
        return message.text ? [el("p", { "class": "bubble" }, [botText(String(message.text))])] : [];
    }
  }

  var ICON_CHAT = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
  var ICON_CLOSE = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z";
  var ICON_SEND = "M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z";
  var ICON_ERASE = "M9 3h6l1 2h4v2H4V5h4l1-2zM6 8h12l-1 13H7L6 8zm4 3v7h1.5v-7H10zm2.5 0v7H14v-7h-1.5z";

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
      erase: el("button", { type: "button", "class": "erase", "aria-label": ERASE.label, title: ERASE.label },
        [icon(ICON_ERASE)]),
      confirm: el("div", {
        "class": "confirm", role: "group", "aria-labelledby": "cw-confirm-question", hidden: ""
      }),
      eraseYes: el("button", { type: "button", "class": "confirm-yes", text: ERASE.confirm }),
      eraseNo: el("button", { type: "button", "class": "confirm-no", text: ERASE.cancel }),
      log: el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-relevant": "additions" }),
      typing: el("div", { "class": "typing", hidden: "" }, [
        el("span", { "class": "dot" }), el("span", { "class": "dot" }), el("span", { "class": "dot" }),
        el("span", { "class": "sr-only", text: config.title + " écrit…" })
      ]),
      replies: el("div", {
        "class": "quick-replies", role: "group", "aria-label": "Réponses suggérées", hidden: ""
      }),
      input: el("textarea", {
        id: "cw-input", rows: "1", placeholder: "Écrivez votre message…", autocomplete: "off",
        "aria-describedby": "cw-notice cw-counter"
      }),
      send: el("button", { type: "submit", "class": "send", "aria-label": "Envoyer" }, [icon(ICON_SEND)]),
      // Always in the page, empty when all is well: a live region must exist before it speaks.
      notice: el("p", { id: "cw-notice", "class": "notice", "aria-live": "polite" }),
      counter: el("p", { id: "cw-counter", "class": "counter", hidden: "" })
    };
    view.confirm.append(
      el("p", { id: "cw-confirm-question", text: ERASE.question }),
      el("div", { "class": "confirm-buttons" }, [view.eraseYes, view.eraseNo])
    );
    view.status = el("p", { "class": "status", role: "status" }, [
      el("span", { "class": "status-dot", "aria-hidden": "true" }), view.statusText
    ]);
    // Typing dots and quick replies scroll with the messages but stay out of the live region.
    view.scroller = el("div", { "class": "scroller", role: "region", "aria-label": "Conversation", tabindex: "0" },
      [view.log, view.typing, view.replies]);
    view.form = el("form", { "class": "composer" }, [
      view.notice,
      el("div", { "class": "compose-row" }, [
        el("label", { "for": "cw-input", "class": "sr-only", text: "Votre message" }), view.input, view.send
      ]),
      view.counter,
      privacyNotice(config.privacyUrl)
    ]);
    view.panel = el("section", {
      id: "cw-panel", "class": "panel", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "cw-title", hidden: ""
    }, [
      el("div", { "class": "header" }, [
        el("div", { "class": "heading" }, [el("h2", { id: "cw-title", text: config.title }), view.status]),
        view.erase,
        view.close
      ]),
      view.confirm, view.scroller, view.form,
      el("span", { id: "cw-new-tab", hidden: "", text: "s’ouvre dans un nouvel onglet" })
    ]);
    view.greeting = messageNode("bot", config.title, config.greeting);
    view.greeting.classList.add("greeting");
    [stylesheet, view.panel, view.launcher].forEach(function (node) { root.appendChild(node); });
    return view;
  }

  /* The short privacy notice, with a link to the site's page when the site gives one. */
  function privacyNotice(url) {
    var notice = el("p", { "class": "privacy", text: PRIVACY_TEXT + " " });
    if (url) {
      notice.appendChild(linkNode({ text: PRIVACY_LINK, href: url, web: true }));
    }
    return notice;
  }

  function Widget(config) {
    this.config = config;
    this.view = buildView(config);
    this.local = storage("localStorage");
    this.tab = storage("sessionStorage");
    this.sessionKey = "causette.session." + config.server.origin;
    this.tokenKey = "causette.token." + config.server.origin; // proves the conversation is this visitor's
    this.outboxKey = "causette.outbox." + config.server.origin; // messages not answered yet, kept across reloads
    this.ready = false; // the history of this connection arrived: messages may be sent
    this.openKey = "causette.open." + config.server.origin;
    this.socket = null;
    this.attempts = 0;
    this.retryTimer = null;
    this.heartbeat = null;
    this.lastFrameAt = 0;
    this.maxTextChars = DEFAULT_MAX_TEXT_CHARS;
    this.sent = {}; // message id -> its bubble, to mark the one an error frame refers to
    this.ids = 0;
    this.erased = false;
    var self = this;
    this.context = {
      server: config.server.href,
      send: function (text) {
        if (self.isOpen()) {
          self.sendMessage(text);
          self.view.input.focus();
        }
      },
      id: function (prefix) { self.ids += 1; return prefix + "-" + self.ids; }
    };
    this.bind();
    this.showGreeting();
  }

  Widget.prototype.bind = function () {
    var self = this;
    var view = this.view;
    view.launcher.addEventListener("click", function () { self.toggle(); });
    view.close.addEventListener("click", function () { self.close(); });
    view.erase.addEventListener("click", function () { self.askToErase(); });
    view.eraseNo.addEventListener("click", function () { self.hideConfirm(view.erase); });
    view.eraseYes.addEventListener("click", function () { self.erase(); });
    view.panel.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      event.preventDefault();
      if (!view.confirm.hidden) {
        self.hideConfirm(view.erase); // Escape answers the question "no", and leaves the panel open
      } else {
        self.close();
      }
    });
    view.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.submit();
      }
    });
    view.input.addEventListener("input", function () {
      self.fitInput();
      self.refreshComposer();
    });
    view.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submit();
    });
    window.addEventListener("online", function () {
      self.refreshComposer();
      self.reconnectNow();
    });
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
    return id && SESSION_ID.test(id) && this.storedToken() ? id : null;
  };

  Widget.prototype.storedToken = function () {
    return this.local && this.local.getItem(this.tokenKey);
  };

  Widget.prototype.socketUrl = function () {
    var url = new URL("/api/v1/ws", this.config.server);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    var session = this.storedSession();
    if (session) { url.searchParams.set("session_id", session); }
    return url.href;
  };

  /* The token goes in the first frame, not the URL: URLs end up in access logs. */
  Widget.prototype.resume = function () {
    if (this.storedSession()) { this.sendFrame({ type: "resume", token: this.storedToken() }); }
  };

  Widget.prototype.connect = function () {
    var self = this;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setState(this.attempts === 0 ? "connecting" : this.retryState());
    this.ready = false;
    var socket = new WebSocket(this.socketUrl());
    this.socket = socket;
    socket.addEventListener("open", function () {
      if (socket !== self.socket) { return; }
      self.attempts = 0;
      self.lastFrameAt = Date.now();
      self.resume();
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
      self.ready = false;
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
    this.refreshComposer();
  };

  /* What the composer tells: why sending is impossible, how much room is left; and whether the
     send button works. A message is never cut: the visitor sees it is too long and shortens it. */
  Widget.prototype.refreshComposer = function () {
    var view = this.view;
    var state = view.panel.dataset.state;
    var blocked = state === "offline" || state === "reconnecting"; // messages wait in the outbox
    var notice = "";
    if (blocked) { notice = navigator.onLine === false ? CANNOT_SEND.offline : CANNOT_SEND.reconnecting; }
    // Writing the same words again would make screen readers announce them again.
    if (view.notice.textContent !== notice) { view.notice.textContent = notice; }
    var excess = this.excessChars();
    view.counter.hidden = this.maxTextChars + excess < this.maxTextChars * COUNTER_FROM;
    view.counter.classList.toggle("over", excess > 0);
    view.counter.textContent = counterText(excess, this.maxTextChars);
    view.send.disabled = excess > 0;
  };

  /* How many characters the message has beyond the server's limit (negative: room left). The
     server counts code points, as Array.from does, not UTF-16 units. */
  Widget.prototype.excessChars = function () {
    return Array.from(this.view.input.value).length - this.maxTextChars;
  };

  function chars(count) {
    return count.toLocaleString("fr-FR") + (count > 1 ? " caractères" : " caractère");
  }

  function counterText(excess, limit) {
    if (excess > 0) {
      return chars(excess) + " de trop (limite : " + chars(limit) + "), raccourcissez votre message.";
    }
    return excess === 0 ? "Limite atteinte : " + chars(limit) + "." : "Encore " + chars(-excess) + " possibles.";
  }

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

  /* A welcome with a token is a new conversation (the stored one was unknown, expired or had
     no token): keep both. */
  Widget.prototype.onWelcome = function (frame) {
    if (this.local) {
      this.local.setItem(this.sessionKey, frame.session_id);
      if (frame.token) { this.local.setItem(this.tokenKey, frame.token); }
    }
    this.maxTextChars = frame.max_text_chars;
    this.refreshComposer();
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
    frame.messages.forEach(function (entry) {
      if (entry.role === "bot") {
        self.addBotMessage(entry.message || { type: "text", text: entry.text });
      } else {
        self.addMessage(entry.role, entry.text);
      }
    });
    var last = frame.messages[frame.messages.length - 1];
    this.showQuickReplies(last && last.role === "bot" ? last.quick_replies : []);
    log.setAttribute("aria-busy", "false");
    if (this.erased) {
      this.erased = false;
      log.appendChild(el("p", { "class": "log-note", text: ERASE.done }));
    }
    this.sendOutbox(frame.messages);
  };

  /* Outbox: every message is kept (localStorage) until its answer arrives, and sent again on the
     next connection if it was not answered. Its id travels as message_id: the server applies a
     message once however often it arrives. Messages the history shows were applied are done. */
  Widget.prototype.outbox = function () {
    try {
      var entries = JSON.parse((this.local && this.local.getItem(this.outboxKey)) || "[]");
      return Array.isArray(entries) ? entries : [];
    } catch (error) {
      return [];
    }
  };

  Widget.prototype.saveOutbox = function (entries) {
    if (!this.local) { return; }
    if (entries.length) {
      this.local.setItem(this.outboxKey, JSON.stringify(entries));
    } else {
      this.local.removeItem(this.outboxKey);
    }
  };

  Widget.prototype.settle = function (id) {
    this.saveOutbox(this.outbox().filter(function (entry) { return entry.id !== id; }));
    var bubble = this.sent[id];
    if (bubble) { this.markPending(bubble, false); }
  };

  Widget.prototype.sendOutbox = function (history) {
    var applied = {};
    history.forEach(function (entry) { if (entry.message_id) { applied[entry.message_id] = true; } });
    var waiting = this.outbox().filter(function (entry) { return !applied[entry.id]; });
    this.saveOutbox(waiting);
    this.ready = true;
    var self = this;
    waiting.forEach(function (entry) {
      self.sent[entry.id] = self.addMessage("user", entry.text);
      self.transmit(entry);
    });
  };

  Widget.prototype.transmit = function (entry) {
    var bubble = this.sent[entry.id];
    var sent = this.ready && this.sendFrame({ type: "message", text: entry.text, id: entry.id, message_id: entry.id });
    if (bubble) { this.markPending(bubble, !sent); }
  };

  Widget.prototype.markPending = function (bubble, pending) {
    bubble.classList.toggle("pending", pending);
    var note = bubble.querySelector(".pending-note");
    if (pending && !note) {
      bubble.appendChild(el("p", { "class": "pending-note", text: PENDING_LABEL }));
    } else if (!pending && note) {
      note.remove();
    }
  };

  function messageId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, function (byte) { return byte.toString(16).padStart(2, "0"); }).join("");
  }

  Widget.prototype.onBot = function (frame) {
    var self = this;
    if (frame.reply_to) { this.settle(frame.reply_to); }
    this.showTyping(false);
    frame.messages.forEach(function (message) { self.addBotMessage(message); });
    var last = frame.messages[frame.messages.length - 1];
    this.showQuickReplies(last && last.type === "text" ? last.quick_replies : []);
  };

  Widget.prototype.onError = function (frame) {
    if (frame.code === "not_found" && this.local) {
      this.local.removeItem(this.tokenKey); // not this visitor's any more: the next connection opens a new one
    }
    if (frame.code === "invalid_session_id" && this.local) {
      this.local.removeItem(this.sessionKey); // the reconnect that follows starts a new session
      return;
    }
    this.showTyping(false);
    if (frame.reply_to) { this.settle(frame.reply_to); } // refused: shown as failed, not sent again
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

  /* Sends what is typed; what cannot be sent stays in the box, and the composer says why. */
  Widget.prototype.submit = function () {
    var text = this.view.input.value;
    if (!text.trim() || this.excessChars() > 0) { return; }
    this.sendMessage(text);
    this.view.input.value = "";
    this.fitInput();
    this.refreshComposer();
  };

  Widget.prototype.sendMessage = function (text) {
    var entry = { id: messageId(), text: text };
    this.saveOutbox(this.outbox().concat([entry]));
    this.sent[entry.id] = this.addMessage("user", text);
    this.showQuickReplies([]);
    this.transmit(entry);
  };

  Widget.prototype.addMessage = function (role, text) {
    var message = messageNode(role, role === "user" ? "Vous" : this.config.title, text);
    this.view.log.appendChild(message);
    return message;
  };

  Widget.prototype.addBotMessage = function (message) {
    var row = el("div", { "class": "message bot message-" + String(message.type || "text") }, [
      el("span", { "class": "sr-only", text: this.config.title + " : " })
    ]);
    row.append.apply(row, botMessageParts(message, this.context));
    this.view.log.appendChild(row);
    return row;
  };

  /* Erasing the conversation: asked first, then forgotten by the server and started anew. */

  Widget.prototype.askToErase = function () {
    this.view.confirm.hidden = false;
    this.view.eraseNo.focus();
  };

  Widget.prototype.hideConfirm = function (focus) {
    this.view.confirm.hidden = true;
    focus.focus();
  };

  Widget.prototype.erase = function () {
    var self = this;
    var session = this.storedSession();
    this.view.confirm.hidden = true;
    if (!session) {
      this.startOver();
      return;
    }
    var url = new URL("/api/v1/conversations/" + encodeURIComponent(session), this.config.server);
    var proof = { "X-Conversation-Token": this.storedToken() };
    fetch(url.href, { method: "DELETE", headers: proof }).then(function (response) {
      if (response.ok || response.status === 404) {
        self.startOver();
      } else {
        self.eraseFailed();
      }
    }, function () { self.eraseFailed(); });
  };

  /* A new conversation: no session to resume, an empty view, a new connection. */
  Widget.prototype.startOver = function () {
    if (this.local) {
      this.local.removeItem(this.sessionKey);
      this.local.removeItem(this.tokenKey);
      this.local.removeItem(this.outboxKey); // erased: nothing of it is sent any more
    }
    var old = this.socket;
    this.socket = null; // its close event is then ignored: no reconnection to the old session
    this.stopHeartbeat();
    if (old) { old.close(); }
    this.view.log.replaceChildren();
    this.sent = {};
    this.showGreeting();
    this.showQuickReplies([]);
    this.showTyping(false);
    this.attempts = 0;
    this.erased = true; // said once the new conversation's (empty) history has replaced the view
    this.connect();
    this.view.input.focus();
  };

  Widget.prototype.eraseFailed = function () {
    this.view.log.appendChild(el("p", { "class": "error", role: "alert", text: ERASE.failed }));
    this.scrollToEnd();
    this.view.erase.focus();
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
      var button = el("button", { type: "button", "class": "quick-reply", text: frenchTypography(label) });
      button.addEventListener("click", function () { self.context.send(label); });
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
