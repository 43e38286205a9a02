/*
 * 问一次 widget extension: a person takes over the chat, and the citizen rates answers.
 *
 * Loaded by widget.js from its own origin. When the bot hands off, it asks the server whether an
 * agent answers now: if so the conversation is queued and the widget listens to the server's
 * events (SSE, /api/takeover/<sender>/events): agent messages, guide cards and state changes,
 * each with its number; the browser's EventSource reconnects with Last-Event-ID, and a number
 * already shown is never shown twice. If no agent answers now, the citizen reads why, with 12345
 * and a form to leave a phone number for a call back. Every guide card, and a chat an agent
 * answered, can be rated 满意 / 不满意 with a reason.
 */
(function () {
  "use strict";

  var STATUS_SECONDS = 10;
  var TAKEOVER_KEY = "wenyici.takeover";
  var REASONS = [
    { value: "materials", label: "材料不对" },
    { value: "location", label: "地点不对" },
    { value: "misunderstood", label: "没听懂" },
    { value: "other", label: "其他" }
  ];

  var CSS = [
    ".takeover-bar{display:flex;align-items:center;gap:8px;padding:8px 14px;background:#fff4d6;color:#5c4500;",
    "font-size:13px;border-bottom:1px solid #f0dc9c}",
    ".takeover-bar[hidden]{display:none}",
    ".takeover-bar .dot{width:8px;height:8px;border-radius:50%;background:#2e7d32;flex:none}",
    ".takeover-bar.waiting .dot{background:#f9a825}",
    ".agent .bubble{background:#eef6ff;border:1px solid #cfe3fb;border-top-left-radius:4px}",
    ".agent-label{display:block;font-size:12px;color:#35618f;margin-bottom:2px;font-weight:600}",
    ".system-line{align-self:center;font-size:12px;color:var(--muted);background:#eef0f3;border-radius:10px;",
    "padding:3px 10px;max-width:92%;text-align:center}",
    ".rate{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:6px;font-size:13px;color:var(--muted)}",
    ".rate .chip{font-size:13px;padding:3px 10px}",
    ".rate .done{color:#2e7d32}",
    ".callback{margin-top:8px;display:flex;gap:6px;flex-wrap:wrap}",
    ".callback input{flex:1;min-width:140px;border:1px solid var(--line);border-radius:8px;padding:6px 9px;font:inherit}",
    ".callback button{border:0;border-radius:8px;padding:6px 12px;background:var(--brand);color:#fff;font:inherit;",
    "cursor:pointer}",
    ".callback .err{flex-basis:100%;margin:0;color:#b3261e;font-size:13px}"
  ].join("");

  function install(widget) {
    var state = { mode: "bot", lastId: 0, stream: null, agentName: "", bar: null, sender: null };
    var w = widget.extend({
      guide: function (detail) { addRating(detail.row, "guide", detail.guide, detail.question); },
      handoff: function (detail) { afterHandoff(detail.question); },
      // The message went to a person (the bot said nothing): follow the conversation from here.
      empty: function () { checkStatus(); return true; },
      // 「重新开始」: a person answering this conversation is told the citizen has left.
      restart: function () {
        if (state.mode === "bot") return;
        stopListening();
        setMode("bot");
        fetch(apiFor(state.sender || w.senderId()) + "/leave", { method: "POST" }).catch(function () { /* the claim timeout applies */ });
      }
    });
    addStyles(w);
    state.bar = w.el("div", "takeover-bar");
    state.bar.hidden = true;
    state.bar.setAttribute("role", "status");
    state.bar.appendChild(w.el("span", "dot"));
    var barText = w.el("span", "", "");
    state.bar.appendChild(barText);
    w.panel.insertBefore(state.bar, w.log);
    // The sender id may change (「重新开始」 when the server cannot forget): always the current one,
    // except to leave the conversation a person was answering.
    function apiFor(sender) { return w.config.api + "/api/takeover/" + encodeURIComponent(sender); }
    function api() { return apiFor(w.senderId()); }

    // A page reloaded while a person answers (remembered on this device), or an agent who picked
    // this chat from the console's live list: a light status check (one row read) at load when a
    // takeover was under way, and every STATUS_SECONDS while the citizen is chatting with the bot.
    if (remembered()) checkStatus();
    setInterval(function () {
      if (state.mode === "bot" && !w.panel.hidden && w.log.querySelector(".row.user")) checkStatus();
    }, STATUS_SECONDS * 1000);

    function checkStatus() {
      return getStatus().then(function (status) {
        if (status && status.state !== "bot" && !state.stream) {
          setMode(status.state, status.agent_name);
          listen(status.since);
        }
        if (status && status.state === "bot") remember(false);
        return status;
      });
    }

    function remembered() {
      try { return window.localStorage.getItem(TAKEOVER_KEY) === w.senderId(); } catch (e) { return false; }
    }
    function remember(on) {
      try {
        if (on) window.localStorage.setItem(TAKEOVER_KEY, w.senderId());
        else window.localStorage.removeItem(TAKEOVER_KEY);
      } catch (e) { /* storage blocked: a reload shows the bot until the next status check */ }
    }

    function getStatus() {
      return fetch(api(), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; });
    }

    function setMode(mode, agentName) {
      state.mode = mode;
      remember(mode !== "bot");
      state.agentName = agentName || state.agentName;
      state.bar.hidden = mode === "bot";
      state.bar.className = "takeover-bar" + (mode === "queued" ? " waiting" : "");
      barText.textContent = mode === "claimed"
        ? "人工客服正在为您服务" + (state.agentName ? "（" + state.agentName + "）" : "")
        : "正在为您转接人工客服，请稍候…";
    }

    function afterHandoff(question) {
      checkStatus().then(function (status) {
        if (status && status.state === "bot" && !status.available) unavailableCard(status.unavailable_text, question);
      });
    }

    function listen(after) {
      if (state.stream) return;
      if (state.sender !== w.senderId()) state.lastId = 0;  // another conversation: its own numbers
      state.sender = w.senderId();
      state.lastId = Math.max(state.lastId, after || 0);
      if (!window.EventSource) return;
      var source = new EventSource(api() + "/events?after=" + state.lastId);
      state.stream = source;
      source.onmessage = function (event) {
        var message;
        try { message = JSON.parse(event.data); } catch (e) { return; }
        if (!message || typeof message.id !== "number" || message.id <= state.lastId) return; // shown already
        state.lastId = message.id;
        show(message);
      };
      // EventSource reconnects by itself (retry: 1 s) with Last-Event-ID; nothing to do on error.
    }

    function stopListening() {
      if (state.stream) { state.stream.close(); state.stream = null; }
    }

    function show(message) {
      if (message.author === "agent" && message.kind === "guide" && message.payload) {
        w.renderMessage({ custom: message.payload });
      } else if (message.author === "agent") {
        var bubble = w.el("div", "bubble");
        bubble.appendChild(w.el("span", "agent-label", "人工客服" + (message.agent_name ? " · " + message.agent_name : "")));
        bubble.appendChild(document.createTextNode(message.text || ""));
        w.appendRow("agent", bubble);
      } else if (message.author === "system") {
        var line = w.el("div", "system-line", message.text || "");
        w.log.appendChild(line);
        w.log.scrollTop = w.log.scrollHeight;
        var payload = message.payload || {};
        if (payload.state === "claimed") setMode("claimed", payload.agent_name);
        else if (payload.state === "queued") setMode("queued");
        else if (payload.state === "bot") {
          var answeredByPerson = state.mode === "claimed";
          setMode("bot");
          stopListening();
          if (payload.outcome === "released" && answeredByPerson) {
            var row = w.appendRow("bot", w.el("div", "card rate-card"));
            addRating(row, "agent", null, "");
          }
          if (payload.outcome === "returned") callbackForm(appendCardRow(), "");
        }
      }
    }

    function appendCardRow() {
      var card = w.el("div", "card notice");
      w.appendRow("bot", card);
      return card;
    }

    function unavailableCard(text, question) {
      var card = appendCardRow();
      card.appendChild(w.el("p", "", text || "当前没有人工客服在线。"));
      callbackForm(card, question);
    }

    /** Leave a phone number: only agents see it; logs show it hidden. */
    function callbackForm(card, question) {
      var form = w.el("form", "callback");
      var label = w.el("label", "sr-only", "回电号码");
      var input = w.el("input");
      input.type = "tel";
      input.maxLength = 20;
      input.placeholder = "留下手机号，工作人员回电";
      input.id = "wyc-callback-" + Date.now();
      label.setAttribute("for", input.id);
      var button = w.el("button", "", "请回电");
      button.type = "submit";
      var error = w.el("p", "err", "");
      error.hidden = true;
      form.appendChild(label);
      form.appendChild(input);
      form.appendChild(button);
      form.appendChild(error);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        button.disabled = true;
        fetch(api() + "/callback", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ phone: input.value, note: question || "" })
        }).then(function (r) {
          return r.json().then(function (body) { return { ok: r.ok, body: body }; });
        }).then(function (result) {
          if (result.ok) {
            form.replaceWith(w.el("p", "", result.body.text || "已记下您的电话。"));
          } else {
            error.textContent = (result.body && result.body.detail) || "提交失败，请稍后再试。";
            error.hidden = false;
            button.disabled = false;
          }
        }).catch(function () {
          error.textContent = "提交失败，请稍后再试或拨打 12345。";
          error.hidden = false;
          button.disabled = false;
        });
      });
      card.appendChild(form);
    }

    /** 满意 / 不满意 (with a reason) under a guide card or after an agent's chat. */
    function addRating(row, subject, guide, question) {
      var box = w.el("div", "rate");
      box.appendChild(w.el("span", "", subject === "agent" ? "对人工客服的服务满意吗？" : "这条答复有帮助吗？"));
      var good = chip("满意");
      var bad = chip("不满意");
      box.appendChild(good);
      box.appendChild(bad);
      good.addEventListener("click", function () { submit(true, null); });
      bad.addEventListener("click", function () {
        clearChips();
        box.appendChild(w.el("span", "", "哪里不满意？"));
        REASONS.forEach(function (reason) {
          var c = chip(reason.label);
          c.addEventListener("click", function () { submit(false, reason.value); });
          box.appendChild(c);
        });
      });
      var target = row.querySelector(".card") || row;
      target.appendChild(box);

      function chip(label) {
        var c = w.el("button", "chip", label);
        c.type = "button";
        return c;
      }
      function clearChips() {
        while (box.firstChild) box.removeChild(box.firstChild);
      }
      function submit(satisfied, reason) {
        var items = (guide && guide.items) || [];
        var body = {
          sender_id: w.senderId(), subject: subject, satisfied: satisfied, reason: reason,
          item_code: guide ? (guide.code || (items[0] && items[0].code) || null) : null,
          item_name: guide ? ((guide.bundle && guide.bundle.name) || guide.name || (items[0] && items[0].name) || null) : null,
          place: guide && guide.location ? guide.location.name : null,
          question: question || ""
        };
        clearChips();
        box.appendChild(w.el("span", "done", "正在提交…"));
        fetch(w.config.api + "/api/ratings", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
        }).then(function (r) { return r.ok ? r.json() : null; }).then(function (result) {
          clearChips();
          box.appendChild(w.el("span", "done", result ? result.text : "评价未能提交，请稍后再试。"));
        }).catch(function () {
          clearChips();
          box.appendChild(w.el("span", "done", "评价未能提交，请稍后再试。"));
        });
      }
    }
  }

  function addStyles(w) {
    var shadow = w.shadow;
    try {
      if (window.CSSStyleSheet && "adoptedStyleSheets" in shadow) {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        shadow.adoptedStyleSheets = Array.prototype.slice.call(shadow.adoptedStyleSheets).concat([sheet]);
        return;
      }
    } catch (e) { /* fall back to <style> */ }
    var style = document.createElement("style");
    style.textContent = CSS;
    shadow.appendChild(style);
  }

  // Last: the constants above are set by now.
  function start() {
    if (!window.WenYiCi || !window.WenYiCi.extend) return false;
    install(window.WenYiCi);
    return true;
  }
  if (!start()) document.addEventListener("DOMContentLoaded", start);
})();
