// The dashboard's live chat (templates/live.html): lines arrive by server-sent events, the agent
// takes the chat, answers, hands it back or closes it. No inline script (the page's CSP).
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) return;
  var lead = root.dataset.lead, csrf = root.dataset.csrf, me = root.dataset.agent;
  var log = document.getElementById("live-log");
  var stateNote = document.getElementById("live-state");
  var errorNote = document.getElementById("live-error");
  var take = document.getElementById("live-take");
  var handback = document.getElementById("live-handback");
  var closeBtn = document.getElementById("live-close");
  var form = document.getElementById("live-reply");
  var text = document.getElementById("live-text");
  var send = document.getElementById("live-send");
  var base = "/dashboard/leads/" + encodeURIComponent(lead) + "/live";
  var lastTyping = 0;

  function addLine(line) {
    if (document.querySelector('[data-line="' + line.id + '"]')) return;
    var item = document.createElement("li");
    var who = line.role === "customer" ? "Customer" : line.role === "agent" ? (line.author || "Agent") : "Notice";
    item.className = "turn " + (line.role === "customer" ? "user" : "bot") + (line.role === "agent" ? " agent" : "") + (line.role === "system" ? " system" : "");
    item.dataset.line = String(line.id);
    var role = document.createElement("span");
    role.className = "role";
    role.textContent = who;
    var body = document.createElement("div");
    body.className = "text";
    body.textContent = line.text;
    item.append(role, body);
    log.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
  }

  function showState(s) {
    var mine = s.state === "taken" && s.agent === me;
    var words = {
      waiting: "The customer is waiting for an agent.",
      taken: (s.agent || "An agent") + " has this chat." + (s.agent_typing ? " (typing…)" : ""),
      handed_back: "The assistant has this chat again.",
      closed: "The chat is closed.",
      expired: "Nobody took the chat in time: the customer was offered a callback.",
      resumed: "The assistant has this chat again.",
      none: "No agent was asked for in this conversation.",
    };
    stateNote.textContent = words[s.state] || s.state;
    root.dataset.state = s.state;
    take.disabled = s.state !== "waiting";
    handback.disabled = closeBtn.disabled = !mine;
    text.disabled = send.disabled = !mine;
  }

  function post(action, fields) {
    var data = new FormData();
    data.append("csrf_token", csrf);
    Object.keys(fields || {}).forEach(function (k) { data.append(k, fields[k]); });
    errorNote.hidden = true;
    return fetch(base + "/" + action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (a) {
        if (!a.ok && action !== "typing") {
          errorNote.textContent = a.body.why || a.body.error || "That did not work.";
          errorNote.hidden = false;
        }
        return a;
      });
  }

  take.addEventListener("click", function () { post("take"); });
  handback.addEventListener("click", function () { post("handback"); });
  closeBtn.addEventListener("click", function () { post("close"); });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var value = text.value.trim();
    if (!value) return;
    post("reply", { text: value }).then(function (a) { if (a.ok) text.value = ""; });
  });
  text.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  text.addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTyping > 4000) { lastTyping = now; post("typing"); }
  });

  var events = new EventSource(base + "/events");
  events.addEventListener("state", function (ev) { showState(JSON.parse(ev.data)); });
  events.addEventListener("line", function (ev) { addLine(JSON.parse(ev.data)); });
  events.onerror = function () { stateNote.textContent = "Reconnecting…"; };
})();
