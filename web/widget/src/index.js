// Carrier Advisor website chat widget: vanilla JS, talks to Rasa's socketio channel.
//
// Embed with one tag:
//   <script src="https://web.example/widget.js" data-server="https://rasa.example" defer></script>
// Optional data-* attributes: data-title, data-subtitle, data-color, data-init-payload,
// data-hours-url, data-open ("true" opens the panel on first visit).
//
// Protocol (Rasa socketio channel, session_persistence: true): emit "session_request"
// {session_id}, receive "session_confirm", emit "user_uttered" {message, session_id},
// receive "bot_uttered" {text, quick_replies|buttons: [{title, payload}], ...}.
// Live takeover (an agent from the agency has the chat): "bot_uttered" {text, takeover: {id,
// role: "agent"|"system", agent}} and "agent_typing" {agent}; after a reload or reconnect the
// widget fetches the lines it missed from GET <server>/takeover/<session>/live?after=<id>.

import { io } from "socket.io-client";
import css from "./widget.css";
import { renderRichText, safeHref } from "./format.js";
import { ConversationStore, randomId } from "./store.js";

export const VERSION = __WIDGET_VERSION__;

const TYPING_TIMEOUT_MS = 25000;
const MAX_MESSAGE_CHARS = 2000;
const SVG_NS = "http://www.w3.org/2000/svg";
const ICONS = {
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm3 6v2h2v-2H7zm4 0v2h2v-2h-2zm4 0v2h2v-2h-2z",
  close: "M18.3 5.71 12 12l6.3 6.29-1.41 1.42L10.59 13.4 4.3 19.7 2.88 18.3 9.17 12 2.88 5.71 4.3 4.29l6.29 6.3 6.3-6.3z",
  restart: "M12 5V1L7 6l5 5V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z",
};

function icon(doc, name) {
  const svg = doc.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = doc.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[name]);
  svg.appendChild(path);
  return svg;
}

function el(doc, tag, attrs = {}, text) {
  const node = doc.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (key === "className") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  if (text != null) node.textContent = text;
  return node;
}

/** Buttons of a bot message (Rasa's socketio sends `quick_replies`; other channels `buttons`). */
function normalizeButtons(raw) {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((b) => b && (typeof b.title === "string" || typeof b.payload === "string"))
    .slice(0, 12)
    .map((b) => ({
      title: String(b.title != null ? b.title : b.payload).slice(0, 200),
      payload: String(b.payload != null ? b.payload : b.title).slice(0, 500),
    }));
}

/** A history item for a bot message, or null when there is nothing to show. */
export function normalizeBotMessage(msg) {
  if (!msg || typeof msg !== "object") return null;
  const text = typeof msg.text === "string" ? msg.text : "";
  const buttons = normalizeButtons(msg.quick_replies || msg.buttons);
  let image = null;
  const attachment = msg.attachment;
  if (typeof msg.image === "string") image = safeHref(msg.image);
  else if (attachment && attachment.type === "image" && attachment.payload) {
    image = safeHref(attachment.payload.src || "");
  }
  if (!text && !buttons.length && !image) return null;
  const item = { id: randomId(), from: "bot", text, ts: Date.now() };
  if (buttons.length) item.buttons = buttons;
  if (image) item.image = image;
  return item;
}

function readConfig(script) {
  const data = (script && script.dataset) || {};
  const src = script && script.src ? new URL(script.src, window.location.href) : new URL(window.location.href);
  const scriptOrigin = src.origin;
  const server = (data.server || scriptOrigin).replace(/\/+$/, "");
  return {
    server,
    scriptOrigin,
    title: data.title || "Carrier Advisor",
    subtitle: data.subtitle || "Business phone & internet advice",
    color: data.color || "",
    initPayload: data.initPayload === undefined ? "/greet" : data.initPayload,
    hoursUrl: data.hoursUrl || `${scriptOrigin}/api/hours`,
    openOnFirstVisit: data.open === "true",
  };
}

class ChatWidget {
  constructor(doc, config) {
    this.doc = doc;
    this.cfg = config;
    this.store = new ConversationStore(config.server.replace(/^https?:\/\//, ""));
    this.tabId = randomId();
    this.socket = null;
    this.ready = false;
    this.everConnected = false;
    this.lostConnection = false;
    this.queue = [];
    this.typingTimer = null;
    this.unread = 0;
    this.wantGreeting = false;
  }

  // ---------- DOM ----------

  mount() {
    const doc = this.doc;
    const host = el(doc, "div", { id: "carrier-advisor-widget", "data-version": VERSION });
    const root = host.attachShadow({ mode: "open" });
    if (typeof CSSStyleSheet === "function" && "adoptedStyleSheets" in root) {
      // A constructed stylesheet keeps working under a strict page CSP (no inline <style> needed).
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el(doc, "style", {}, css));
    }
    if (this.cfg.color && /^#[0-9a-fA-F]{3,8}$/.test(this.cfg.color)) {
      host.style.setProperty("--ca-accent", this.cfg.color);
    }
    const panelId = "ca-panel";

    this.launcher = el(doc, "button", {
      className: "launcher",
      type: "button",
      "aria-label": `Open chat with ${this.cfg.title}`,
      "aria-expanded": "false",
      "aria-controls": panelId,
    });
    this.launcher.appendChild(icon(doc, "chat"));
    this.badge = el(doc, "span", { className: "badge", "aria-hidden": "true", hidden: true });
    this.launcher.appendChild(this.badge);

    this.panel = el(doc, "section", {
      className: "panel",
      id: panelId,
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": "ca-title",
      hidden: true,
    });

    const header = el(doc, "header", { className: "header" });
    const titles = el(doc, "div", { className: "titles" });
    titles.appendChild(el(doc, "h2", { id: "ca-title" }, this.cfg.title));
    this.subtitle = el(doc, "p", { className: "subtitle" }, this.cfg.subtitle);
    titles.appendChild(this.subtitle);
    this.restartBtn = el(doc, "button", {
      className: "icon-btn restart",
      type: "button",
      "aria-label": "Start a new conversation",
      title: "Start a new conversation",
    });
    this.restartBtn.appendChild(icon(doc, "restart"));
    this.closeBtn = el(doc, "button", {
      className: "icon-btn close",
      type: "button",
      "aria-label": "Close chat",
      title: "Close chat",
    });
    this.closeBtn.appendChild(icon(doc, "close"));
    header.append(titles, this.restartBtn, this.closeBtn);

    this.hoursNote = el(doc, "div", { className: "notice after-hours", hidden: true });
    this.connNote = el(doc, "div", { className: "notice connection", role: "status", hidden: true });

    this.log = el(doc, "div", {
      className: "log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": "Conversation",
      tabindex: "0",
    });
    this.typing = el(doc, "div", { className: "typing", hidden: true });
    this.typingLabel = el(doc, "span", { className: "sr-only" }, "Assistant is typing…");
    this.typing.append(
      this.typingLabel,
      el(doc, "span", { className: "dot", "aria-hidden": "true" }),
      el(doc, "span", { className: "dot", "aria-hidden": "true" }),
      el(doc, "span", { className: "dot", "aria-hidden": "true" }),
    );

    const form = el(doc, "form", { className: "composer", "aria-label": "Send a message" });
    const label = el(doc, "label", { className: "sr-only", for: "ca-input" }, "Your message");
    this.input = el(doc, "textarea", {
      id: "ca-input",
      rows: "1",
      maxlength: String(MAX_MESSAGE_CHARS),
      placeholder: "Type your message…",
      autocomplete: "off",
      enterkeyhint: "send",
    });
    this.sendBtn = el(doc, "button", { className: "send", type: "submit" }, "Send");
    form.append(label, this.input, this.sendBtn);
    const footer = el(doc, "div", { className: "footer" }, "Press Enter to send, Shift+Enter for a new line, Esc to close.");

    this.panel.append(header, this.hoursNote, this.connNote, this.log, form, footer);
    root.append(this.panel, this.launcher);
    this.host = host;
    this.root = root;
    doc.body.appendChild(host);

    this.launcher.addEventListener("click", () => this.toggle());
    this.closeBtn.addEventListener("click", () => this.close());
    this.restartBtn.addEventListener("click", () => this.restart());
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.submitInput();
    });
    this.input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this.submitInput();
      }
    });
    this.input.addEventListener("input", () => this.autosize());
    this.panel.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") {
        ev.stopPropagation();
        this.close();
      }
    });
    // Stay pinned to the newest message when the log resizes (phone keyboard, rotation),
    // unless the reader has scrolled up.
    this.pinned = true;
    this.log.addEventListener("scroll", () => {
      this.pinned = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    });
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => {
        if (this.pinned) this.scrollToEnd();
      }).observe(this.log);
    }
    window.addEventListener("storage", (ev) => this.onStorage(ev));
    window.addEventListener("pagehide", () => {
      if (this.store.writer() === this.tabId) this.store.setWriter("");
    });

    this.renderHistory();
    if (this.store.isOpen() || (this.cfg.openOnFirstVisit && !this.store.history().length)) {
      this.open({ focus: false });
    } else if (this.store.history().length) {
      this.connect(); // keep receiving answers to a conversation already under way
    }
    this.loadHours();
  }

  autosize() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 120)}px`;
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  // ---------- open / close ----------

  isOpen() {
    return !this.panel.hidden;
  }

  open({ focus = true } = {}) {
    this.panel.hidden = false;
    this.host.classList.add("is-open");
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.setAttribute("aria-label", `Close chat with ${this.cfg.title}`);
    this.store.setOpen(true);
    this.setUnread(0);
    this.connect();
    this.scrollToEnd();
    if (focus) this.input.focus();
  }

  close() {
    if (!this.isOpen()) return;
    this.panel.hidden = true;
    this.host.classList.remove("is-open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-label", `Open chat with ${this.cfg.title}`);
    this.store.setOpen(false);
    this.launcher.focus();
  }

  toggle() {
    if (this.isOpen()) this.close();
    else this.open();
  }

  setUnread(n) {
    this.unread = n;
    this.badge.hidden = n === 0;
    this.badge.textContent = n > 9 ? "9+" : String(n);
    const base = `Open chat with ${this.cfg.title}`;
    if (!this.isOpen()) {
      this.launcher.setAttribute("aria-label", n ? `${base} (${n} new message${n > 1 ? "s" : ""})` : base);
    }
  }

  // ---------- rendering ----------

  renderHistory() {
    const items = this.store.history();
    this.log.textContent = "";
    this.log.appendChild(this.typing);
    items.forEach((item, i) => this.renderItem(item, items[i + 1] || null));
    this.scrollToEnd();
  }

  /** Add a node to the log, keeping the typing indicator last. */
  insert(node) {
    if (this.typing.parentNode === this.log) this.log.insertBefore(node, this.typing);
    else this.log.appendChild(node);
  }

  /** Render one history item; `next` (the item after it, if any) decides whether its buttons are live. */
  renderItem(item, next) {
    const doc = this.doc;
    if (item.from === "system") {
      this.insert(el(doc, "div", { className: "msg system" }, item.text));
      return null;
    }
    const who = item.from === "user" ? "user" : "bot";
    const agent = item.from === "agent";
    const bubble = el(doc, "div", { className: agent ? "msg bot agent" : `msg ${who}`, "data-id": item.id });
    if (agent) {
      // A person from the agency has the chat (live takeover): say who is writing.
      bubble.appendChild(el(doc, "span", { className: "author" }, item.author || "Agent"));
      bubble.appendChild(el(doc, "span", { className: "sr-only" }, ": "));
    } else {
      bubble.appendChild(el(doc, "span", { className: "sr-only" }, who === "user" ? "You said: " : "Assistant: "));
    }
    if (item.text) bubble.appendChild(renderRichText(doc, item.text));
    if (item.image) {
      const img = el(doc, "img", { alt: "", loading: "lazy", referrerpolicy: "no-referrer" });
      img.src = item.image;
      bubble.appendChild(img);
    }
    if (item.pending) bubble.classList.add("pending");
    this.insert(bubble);
    if (who === "bot" && item.buttons && item.buttons.length) {
      const group = el(doc, "div", { className: "quick-replies", role: "group", "aria-label": "Suggested replies" });
      const answered = next !== null;
      for (const b of item.buttons) {
        const btn = el(doc, "button", { type: "button", "data-payload": b.payload }, b.title);
        if (answered) {
          btn.disabled = true;
          if (next && next.from === "user" && next.text === b.title) btn.classList.add("chosen");
        } else {
          btn.addEventListener("click", () => this.send(b.payload, b.title));
        }
        group.appendChild(btn);
      }
      this.insert(group);
    }
    return bubble;
  }

  /** Disable every still-live quick reply (the user has answered). */
  retireQuickReplies(chosenTitle) {
    for (const group of this.log.querySelectorAll(".quick-replies")) {
      for (const btn of group.querySelectorAll("button:not(:disabled)")) {
        btn.disabled = true;
        if (chosenTitle != null && btn.textContent === chosenTitle) btn.classList.add("chosen");
      }
    }
  }

  addSystemNote(text) {
    this.renderItem({ from: "system", text });
    this.scrollToEnd();
  }

  showTyping(on) {
    clearTimeout(this.typingTimer);
    if (!on) this.typingLabel.textContent = "Assistant is typing…";
    this.typing.hidden = !on;
    if (on) {
      this.log.appendChild(this.typing);
      this.scrollToEnd();
      this.typingTimer = setTimeout(() => {
        this.typing.hidden = true;
      }, TYPING_TIMEOUT_MS);
    }
  }

  setConnectionNote(text, ok = false) {
    this.connNote.hidden = !text;
    this.connNote.classList.toggle("ok", ok);
    this.connNote.textContent = text || "";
  }

  // ---------- messages ----------

  submitInput() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.autosize();
    this.send(text.slice(0, MAX_MESSAGE_CHARS));
    this.input.focus();
  }

  /** Send `payload` to the bot; show `display` (a button's title) or the payload itself. */
  send(payload, display) {
    const shown = display != null ? display : payload;
    const item = { id: randomId(), from: "user", text: shown, ts: Date.now() };
    this.store.setWriter(this.tabId);
    this.store.append(item);
    this.retireQuickReplies(display != null ? display : null);
    const bubble = this.renderItem(item, null);
    this.queue.push({ payload, bubble });
    this.flush();
    this.showTyping(true);
    this.connect();
  }

  flush() {
    if (!this.ready || !this.socket) {
      for (const q of this.queue) if (q.bubble) q.bubble.classList.add("pending");
      return;
    }
    const sessionId = this.store.sessionId();
    while (this.queue.length) {
      const q = this.queue.shift();
      if (q.bubble) q.bubble.classList.remove("pending");
      this.socket.emit("user_uttered", { message: q.payload, session_id: sessionId });
    }
  }

  /** A line of a live takeover (an agent's message, "Dana has joined", ...), once per line. */
  onTakeoverLine(line) {
    if (!line || typeof line.text !== "string" || !line.text || line.role === "customer") return;
    const tid = Number(line.id) || 0;
    if (tid && this.store.history().some((m) => m.tid === tid)) return; // another tab has it
    const item =
      line.role === "agent"
        ? { id: randomId(), from: "agent", author: String(line.agent || line.author || "Agent").slice(0, 80), text: line.text, ts: Date.now(), tid }
        : { id: randomId(), from: "system", text: line.text, ts: Date.now(), tid };
    this.store.append(item);
    this.showTyping(false);
    this.renderItem(item, null);
    this.scrollToEnd();
    if (!this.isOpen()) this.setUnread(this.unread + 1);
  }

  /** Takeover lines sent while this page was closed or reconnecting (the server keeps them). */
  async fetchMissedLines() {
    if (!this.store.history().length) return;
    const after = this.store.history().reduce((max, m) => Math.max(max, Number(m.tid) || 0), 0);
    const session = encodeURIComponent(this.store.sessionId());
    try {
      const resp = await fetch(`${this.cfg.server}/takeover/${session}/live?after=${after}`, { credentials: "omit", mode: "cors" });
      if (!resp.ok) return;
      const live = await resp.json();
      for (const line of (live && live.lines) || []) {
        this.onTakeoverLine({ ...line, agent: line.author });
      }
    } catch (_err) {
      /* the next reconnect tries again */
    }
  }

  onAgentTyping(data) {
    const name = data && typeof data.agent === "string" ? data.agent.slice(0, 80) : "An agent";
    this.typingLabel.textContent = `${name} is typing…`;
    this.showTyping(true);
  }

  onBotMessage(msg) {
    if (msg && msg.takeover && typeof msg.takeover === "object") {
      this.onTakeoverLine({ ...msg.takeover, text: msg.text });
      return;
    }
    const writer = this.store.writer();
    // Several tabs share one session (one socket.io room): the tab that sent the last
    // message records the answer; the others redraw from the storage event.
    if (writer && writer !== this.tabId) return;
    const item = normalizeBotMessage(msg);
    if (!item) return;
    this.store.append(item);
    this.showTyping(false);
    this.renderItem(item, null);
    this.scrollToEnd();
    if (!this.isOpen()) this.setUnread(this.unread + 1);
  }

  onStorage(ev) {
    if (ev.storageArea && ev.storageArea !== window.localStorage) return;
    if (ev.key === this.store.keys.history || ev.key === null) {
      this.showTyping(false);
      this.renderHistory();
    } else if (ev.key === this.store.keys.session && ev.newValue && this.socket && this.ready) {
      // Another tab started a new conversation: join it.
      this.socket.emit("session_request", { session_id: ev.newValue });
    }
  }

  restart() {
    this.store.reset();
    this.store.setOpen(true);
    this.queue = [];
    this.showTyping(false);
    this.renderHistory();
    this.addSystemNote("New conversation started.");
    this.wantGreeting = true;
    if (this.socket && this.ready) {
      this.ready = false;
      this.socket.emit("session_request", { session_id: this.store.sessionId() });
    } else {
      this.connect();
    }
    this.input.focus();
  }

  // ---------- connection ----------

  connect() {
    if (this.socket) return;
    this.wantGreeting = !this.store.history().length;
    const socket = io(this.cfg.server, {
      path: "/socket.io/",
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 8000,
      timeout: 10000,
      withCredentials: false,
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.ready = false;
      socket.emit("session_request", { session_id: this.store.sessionId() });
    });
    socket.on("session_confirm", (data) => {
      const id = typeof data === "string" ? data : data && data.session_id;
      if (id) this.store.setSessionId(id);
      this.ready = true;
      if (this.lostConnection) {
        this.lostConnection = false;
        this.setConnectionNote("Reconnected.", true);
        this.addSystemNote("Reconnected.");
        setTimeout(() => {
          if (this.ready) this.setConnectionNote("");
        }, 3000);
      } else {
        this.setConnectionNote("");
      }
      this.everConnected = true;
      this.flush();
      this.fetchMissedLines();
      if (this.wantGreeting && !this.store.history().length && this.cfg.initPayload) {
        this.wantGreeting = false;
        this.store.setWriter(this.tabId);
        this.socket.emit("user_uttered", { message: this.cfg.initPayload, session_id: this.store.sessionId() });
        this.showTyping(true);
      }
    });
    socket.on("bot_uttered", (msg) => this.onBotMessage(msg));
    socket.on("agent_typing", (data) => this.onAgentTyping(data));
    socket.on("disconnect", (reason) => {
      this.ready = false;
      if (reason === "io client disconnect") return;
      this.lostConnection = true;
      this.showTyping(false);
      this.setConnectionNote("Connection lost. Reconnecting…");
      this.addSystemNote("Connection lost. Reconnecting…");
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", () => {
      this.ready = false;
      this.lostConnection = this.lostConnection || this.everConnected;
      this.setConnectionNote(
        this.everConnected ? "Connection lost. Reconnecting…" : "Can't reach the assistant yet. Retrying…",
      );
    });
  }

  async loadHours() {
    try {
      const resp = await fetch(this.cfg.hoursUrl, { credentials: "omit", mode: "cors" });
      if (!resp.ok) return;
      const hours = await resp.json();
      if (hours && hours.open === false) {
        const note =
          typeof hours.note === "string" && hours.note
            ? hours.note
            : "Our office is closed right now. The assistant can still help, and an advisor will call you back.";
        this.hoursNote.textContent = note;
        this.hoursNote.hidden = false;
      }
    } catch (_err) {
      /* the note is optional */
    }
  }
}

function boot() {
  if (window.CarrierAdvisorWidget) return; // loaded twice: keep the first
  const script =
    document.currentScript ||
    document.querySelector('script[src*="widget.js"][data-server]') ||
    document.querySelector('script[src*="widget.js"]');
  const config = readConfig(script);
  const start = () => {
    const widget = new ChatWidget(document, config);
    widget.mount();
    window.CarrierAdvisorWidget = {
      version: VERSION,
      instance: widget,
      open: () => widget.open(),
      close: () => widget.close(),
      restart: () => widget.restart(),
      send: (text) => widget.send(String(text)),
    };
  };
  window.CarrierAdvisorWidget = { version: VERSION };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
}

boot();
