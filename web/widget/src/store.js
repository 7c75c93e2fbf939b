// Conversation state kept in localStorage so it survives a reload and is shared by tabs:
// the session id, the rendered history (capped) and which tab sent the last message.

export const HISTORY_CAP = 200;

function randomId() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID().replace(/-/g, "");
  const bytes = new Uint8Array(16);
  if (c && c.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export { randomId };

/** Storage that never throws (private mode, disabled storage, quota): falls back to memory. */
function safeStorage() {
  try {
    const s = globalThis.localStorage;
    const probe = "__ca_probe__";
    s.setItem(probe, "1");
    s.removeItem(probe);
    return s;
  } catch (_err) {
    const mem = new Map();
    return {
      getItem: (k) => (mem.has(k) ? mem.get(k) : null),
      setItem: (k, v) => mem.set(k, String(v)),
      removeItem: (k) => mem.delete(k),
    };
  }
}

export class ConversationStore {
  /** `scope` separates widgets talking to different servers on the same page origin. */
  constructor(scope) {
    this.storage = safeStorage();
    this.prefix = `carrier-advisor:${scope}:`;
    this.keys = {
      session: this.prefix + "session",
      history: this.prefix + "history",
      writer: this.prefix + "writer",
      open: this.prefix + "open",
    };
  }

  get(key) {
    try {
      return this.storage.getItem(key);
    } catch (_err) {
      return null;
    }
  }

  set(key, value) {
    try {
      this.storage.setItem(key, value);
      return true;
    } catch (_err) {
      return false;
    }
  }

  remove(key) {
    try {
      this.storage.removeItem(key);
    } catch (_err) {
      /* ignore */
    }
  }

  /** The stored session id, creating one on first use. */
  sessionId() {
    let id = this.get(this.keys.session);
    if (!id || !/^[A-Za-z0-9_-]{8,128}$/.test(id)) {
      id = randomId();
      this.set(this.keys.session, id);
    }
    return id;
  }

  setSessionId(id) {
    if (typeof id === "string" && /^[A-Za-z0-9_-]{8,128}$/.test(id)) this.set(this.keys.session, id);
  }

  history() {
    try {
      const parsed = JSON.parse(this.get(this.keys.history) || "[]");
      return Array.isArray(parsed) ? parsed.filter((m) => m && typeof m === "object") : [];
    } catch (_err) {
      return [];
    }
  }

  /** Append one item (re-reading first, so another tab's writes are kept) and cap the list. */
  append(item) {
    const items = this.history();
    items.push(item);
    this.saveHistory(items);
    return items;
  }

  saveHistory(items) {
    let kept = items.slice(-HISTORY_CAP);
    // On a quota error drop the oldest half until it fits.
    while (!this.set(this.keys.history, JSON.stringify(kept)) && kept.length > 1) {
      kept = kept.slice(Math.floor(kept.length / 2));
    }
    return kept;
  }

  /** The tab that sent the last user message owns writing the bot's answers to history. */
  writer() {
    return this.get(this.keys.writer);
  }

  setWriter(tabId) {
    this.set(this.keys.writer, tabId);
  }

  isOpen() {
    return this.get(this.keys.open) === "1";
  }

  setOpen(open) {
    this.set(this.keys.open, open ? "1" : "0");
  }

  /** Forget the conversation: the next message starts a new session. */
  reset() {
    for (const key of Object.values(this.keys)) this.remove(key);
  }
}
