// Safe rendering of bot and user text: **bold**, line breaks, bullet lines, http(s) links.
// Every node is built with createElement/createTextNode; no markup string is ever parsed,
// so any other character (including "<", "&", quotes) shows as typed.

const URL_RE = /\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"']+)/gi;
const BULLET_RE = /^\s*(?:[-*•])\s+(.*)$/;
const NUMBERED_RE = /^\s*(\d{1,3})[.)]\s+(.*)$/;
const TRAILING_PUNCT_RE = /[.,;:!?)\]]+$/;

/** Return the URL when it is an http(s) URL the browser parses, else null. */
export function safeHref(raw) {
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (_err) {
    return null;
  }
}

function appendLink(parent, doc, label, href) {
  const a = doc.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer nofollow";
  a.textContent = label;
  parent.appendChild(a);
}

/** Append `text` with links made clickable (http/https only). */
function appendLinkified(parent, doc, text) {
  let last = 0;
  URL_RE.lastIndex = 0;
  let match;
  while ((match = URL_RE.exec(text)) !== null) {
    let [whole, label, mdHref, bare] = match;
    let end = match.index + whole.length;
    let trailing = "";
    if (bare) {
      const punct = bare.match(TRAILING_PUNCT_RE);
      if (punct) {
        trailing = punct[0];
        bare = bare.slice(0, -trailing.length);
        end -= trailing.length;
      }
    }
    const href = safeHref(mdHref || bare);
    if (match.index > last) parent.appendChild(doc.createTextNode(text.slice(last, match.index)));
    if (href) {
      appendLink(parent, doc, label || bare, href);
    } else {
      parent.appendChild(doc.createTextNode(text.slice(match.index, end)));
    }
    last = end;
    URL_RE.lastIndex = end;
  }
  if (last < text.length) parent.appendChild(doc.createTextNode(text.slice(last)));
}

/** Append one line: **bold** spans, then links inside each span. */
function appendInline(parent, doc, line) {
  const parts = line.split(/\*\*(?=\S)([^*]*?\S)\*\*/);
  parts.forEach((part, i) => {
    if (!part) return;
    if (i % 2 === 1) {
      const strong = doc.createElement("strong");
      appendLinkified(strong, doc, part);
      parent.appendChild(strong);
    } else {
      appendLinkified(parent, doc, part);
    }
  });
}

/**
 * Build a DocumentFragment for `text`: lines become <br>-separated, consecutive bullet lines
 * ("- ", "* ", "• ") become a <ul>, consecutive numbered lines ("1. ", "2) ") an <ol>.
 */
export function renderRichText(doc, text) {
  const frag = doc.createDocumentFragment();
  const lines = String(text == null ? "" : text).replace(/\r\n?/g, "\n").split("\n");
  let list = null;
  let needBreak = false;
  for (const line of lines) {
    const bullet = line.match(BULLET_RE);
    const numbered = bullet ? null : line.match(NUMBERED_RE);
    if (bullet || numbered) {
      const tag = bullet ? "UL" : "OL";
      if (!list || list.tagName !== tag) {
        list = doc.createElement(tag.toLowerCase());
        if (numbered && numbered[1] !== "1") list.start = Number(numbered[1]);
        frag.appendChild(list);
      }
      const li = doc.createElement("li");
      appendInline(li, doc, bullet ? bullet[1] : numbered[2]);
      list.appendChild(li);
      needBreak = false;
      continue;
    }
    if (list) {
      list = null;
      needBreak = false;
    }
    if (needBreak) frag.appendChild(doc.createElement("br"));
    appendInline(frag, doc, line);
    needBreak = true;
  }
  return frag;
}
