/*
 * 问一次 web chat widget — one embeddable script, no dependencies.
 *
 *   <script src="https://host/static/widget.js" data-api="https://host" defer></script>
 *
 * Injects a floating chat button and panel into any page. Everything lives in a Shadow DOM
 * so the host site's CSS cannot break it and ours cannot leak out. Every piece of text that
 * comes from the server is put into the page with textContent (never innerHTML), and links
 * or images from the server are accepted only with http(s) URLs.
 *
 * Optional attributes: data-api (API origin; default: the origin this script came from),
 * data-open="true" (open the panel on load), data-title (panel title), data-needs (see readConfig),
 * data-examples (the greeting's example questions, separated by 「|」) and data-place="false" (every
 * item of the region is handled at one level: the citizen is not asked to say their town).
 */
(function () {
  "use strict";

  if (window.__wenyiciWidgetLoaded) return; // the script may be included twice by a CMS
  window.__wenyiciWidgetLoaded = true;

  var script = document.currentScript;
  var config = readConfig(script);
  var SENDER_KEY = "wenyici.sender_id";
  // contract:begin (generated from catalog/contract.py: `python -m catalog.contract api/static/*.js`; do not edit)
  var CONTRACT = {
    "hotline": "12345",
    "handoffSentence": "需要人工帮助，可回复「转人工」或拨打12345政务服务便民热线。",
    "linkOnlySentence": "本事项的完整材料清单在官方办事指南中，请扫描二维码或打开官方办事指南链接查看。",
    "sampleNotice": "示例数据，以官方办事指南为准",
    "officialSourceLabel": "官方办事指南（来源）",
    "levelLabels": {
      "village": "村（社区）便民服务站",
      "town": "乡镇（街道）便民服务中心",
      "county": "区政务服务中心",
      "city": "市政务服务中心"
    },
    "missingLabels": {
      "materials": "所需材料",
      "time_limit": "办理时限",
      "fee": "收费标准",
      "trips": "跑动次数",
      "online": "网上办理",
      "address": "办理地址",
      "hours": "办理时间",
      "phone": "咨询电话"
    },
    "missingText": "官方办事指南未载明，请咨询{phone}",
    "tripsLabel": "跑动次数",
    "tripsZero": "零跑动",
    "tripsAtMost": "最多跑{trips}次",
    "tripsAsGiven": "{trips}次"
  };
  // contract:end
  var LEVEL_LABELS = CONTRACT.levelLabels;
  var EXAMPLES = ["我在龙台镇，社保卡丢了怎么补", "我想开个小饭馆要准备啥", "怎么申请低保"];
  var ELDER_KEY = "wenyici.elder";
  var NOT_THESE = "都不是";
  // Handoffs where the assistant did not understand the need: a short menu of common needs follows
  // the human route, so a vague ask (「我想办个证」) is not a dead end. Not after a complaint, a
  // request for a person or a need referred to whoever handles it (referred).
  var MENU_AFTER_REASONS = ["not_found", "nlu_fallback", "unhandled", "no_context"];

  function readConfig(el) {
    var data = (el && el.dataset) || {};
    var scriptOrigin = "";
    try { scriptOrigin = el && el.src ? new URL(el.src, location.href).origin : ""; } catch (e) { /* keep "" */ }
    var api = (data.api || scriptOrigin || location.origin).replace(/\/+$/, "");
    // data-needs: the county's most asked needs, separated by 「、」 (the menu after 「都不是」).
    var needs = (data.needs || "社保卡补办、申请低保、开小餐馆、新生儿出生办证、办理退休、房屋过户").split("、")
      .map(function (s) { return s.trim(); }).filter(Boolean);
    var examples = (data.examples || "").split("|").map(function (s) { return s.trim(); }).filter(Boolean);
    return { api: api, open: data.open === "true", title: data.title || "问一次 · 政务服务咨询", needs: needs,
             examples: examples, askPlace: data.place !== "false" };
  }

  // ---- small DOM helpers (textContent only) -------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    return node;
  }

  function safeUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      var url = new URL(value, config.api + "/");
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function phoneHref(phone) {
    var digits = String(phone || "").replace(/[^0-9+-]/g, "");
    return digits ? "tel:" + digits : null;
  }

  function senderId() {
    var id = null;
    try { id = window.localStorage.getItem(SENDER_KEY); } catch (e) { /* storage blocked */ }
    if (!id) {
      id = "web-" + (window.crypto && crypto.randomUUID ? crypto.randomUUID()
        : Date.now().toString(36) + Math.random().toString(36).slice(2));
      try { window.localStorage.setItem(SENDER_KEY, id); } catch (e) { /* session-only id */ }
    }
    return id;
  }

  // ---- styles -------------------------------------------------------------------------

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box}",
    ".root{--brand:#c8102e;--brand-dark:#9e0b23;--ink:#1f2933;--muted:#66717f;--line:#e3e7ec;",
    "--soft:#f6f7f9;--card:#fff;font-family:-apple-system,BlinkMacSystemFont,'PingFang SC','Hiragino Sans GB',",
    "'Microsoft YaHei','Noto Sans CJK SC','Noto Sans SC',sans-serif;font-size:15px;line-height:1.55;color:var(--ink)}",
    ".launcher{position:fixed;right:24px;bottom:24px;z-index:2147483000;display:flex;align-items:center;gap:8px;",
    "border:0;border-radius:28px;padding:14px 20px;background:var(--brand);color:#fff;font:inherit;font-weight:600;",
    "box-shadow:0 6px 20px rgba(158,11,35,.35);cursor:pointer}",
    ".launcher:hover{background:var(--brand-dark)}",
    ".launcher svg{width:22px;height:22px;fill:currentColor}",
    ".launcher[hidden]{display:none}",
    ".panel{position:fixed;right:24px;bottom:24px;z-index:2147483001;width:400px;max-width:calc(100vw - 32px);",
    "height:720px;max-height:calc(100vh - 48px);display:flex;flex-direction:column;background:var(--soft);",
    "border-radius:14px;overflow:hidden;box-shadow:0 12px 40px rgba(15,23,42,.28)}",
    ".panel[hidden]{display:none}",
    ".head{display:flex;align-items:center;gap:10px;padding:14px 16px;background:var(--brand);color:#fff}",
    ".head .logo{width:34px;height:34px;border-radius:50%;background:rgba(255,255,255,.18);display:grid;",
    "place-items:center;font-weight:700}",
    ".head h2{margin:0;font-size:16px;font-weight:600}",
    ".head p{margin:0;font-size:12px;opacity:.85}",
    ".head .titles{flex:1;min-width:0}",
    ".icon-btn{border:0;background:transparent;color:inherit;font-size:22px;line-height:1;width:36px;height:36px;",
    "border-radius:8px;cursor:pointer}",
    ".icon-btn:hover{background:rgba(255,255,255,.15)}",
    ".log{flex:1;overflow-y:auto;padding:16px 12px;display:flex;flex-direction:column;gap:10px}",
    ".row{display:flex}.row.user{justify-content:flex-end}",
    ".bubble{max-width:85%;padding:9px 13px;border-radius:14px;white-space:pre-line;word-break:break-word}",
    ".bot .bubble{background:var(--card);border:1px solid var(--line);border-top-left-radius:4px}",
    ".user .bubble{background:var(--brand);color:#fff;border-top-right-radius:4px}",
    ".chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:2px}",
    ".chip{border:1px solid var(--brand);color:var(--brand);background:#fff;border-radius:16px;padding:5px 12px;",
    "font:inherit;font-size:14px;cursor:pointer}",
    ".chip:hover,.chip[aria-pressed=true]{background:var(--brand);color:#fff}",
    ".chip:disabled{opacity:.5;cursor:default}",
    ".card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px;width:100%}",
    ".clarify .q{margin:0 0 6px;font-weight:600}",
    ".clarify .qblock+.qblock{margin-top:10px}",
    ".clarify .send-choices{margin-top:12px}",
    ".clarify .hint{margin:0;color:var(--muted);font-size:13px}",
    ".guide h3{margin:0;font-size:17px;line-height:1.35}",
    ".badge{display:inline-block;font-size:12px;padding:1px 8px;border-radius:10px;background:#fdecee;color:var(--brand);",
    "margin-right:6px;vertical-align:2px;font-weight:600}",
    ".dept{margin:4px 0 0;color:var(--muted);font-size:13px}",
    ".section{margin-top:12px}",
    ".section h4{margin:0 0 6px;font-size:13px;color:var(--muted);font-weight:600;letter-spacing:.02em}",
    ".members{margin:0;padding-left:18px;font-size:14px}",
    ".materials{margin:0;padding-left:22px}",
    ".materials li{margin:0 0 6px}",
    ".mat-meta{color:var(--muted);font-size:13px;margin-left:4px}",
    ".cond{display:inline-block;font-size:12px;color:#6b5b12;background:#fff6d6;border-radius:4px;padding:0 6px;",
    "margin-right:6px}",
    ".mat-note{display:block;color:var(--muted);font-size:13px}",
    ".tag{display:inline-block;font-size:12px;padding:0 6px;border-radius:4px;background:#e8f5e9;color:#1b5e20;",
    "margin-right:6px}",
    ".tag.optional{background:#eef2f7;color:var(--muted)}",
    ".missing{margin:6px 0 0;color:#8a4b00;font-size:13px}",
    ".link-only{background:#fffaeb;border-radius:8px;padding:6px 10px;font-size:14px}",
    ".link-only p{margin:2px 0}",
    ".loc{background:var(--soft);border-radius:10px;padding:10px 12px;font-size:14px}",
    ".loc .level{font-size:12px;color:var(--brand);font-weight:600}",
    ".loc .name{font-weight:600;margin:2px 0}",
    ".loc dl,.facts{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:4px 0 0}",
    ".loc dt,.facts dt{color:var(--muted)}.loc dd,.facts dd{margin:0}",
    ".loc .note{margin:6px 0 0;color:#245c3a;font-size:13px}",
    ".loc a{color:var(--brand)}",
    ".facts{font-size:14px}",
    ".qr{display:flex;gap:12px;align-items:center;margin-top:12px;padding-top:12px;border-top:1px dashed var(--line)}",
    ".qr img{width:96px;height:96px;border:1px solid var(--line);border-radius:6px;background:#fff}",
    ".qr p{margin:0;font-size:13px;color:var(--muted)}",
    ".qr a{color:var(--brand);font-weight:600;text-decoration:none}",
    ".qr a:hover{text-decoration:underline}",
    ".sample{margin:10px 0 0;font-size:12px;color:#8a6d00;background:#fffaeb;border-radius:6px;padding:4px 8px}",
    ".notice{background:#fff4f4;border:1px solid #f3c2c8}",
    ".notice a{color:var(--brand);font-weight:700}",
    ".typing{color:var(--muted);font-size:13px;padding-left:4px}",
    "form{display:flex;gap:8px;padding:10px 12px;background:#fff;border-top:1px solid var(--line)}",
    "textarea{flex:1;resize:none;border:1px solid var(--line);border-radius:10px;padding:9px 11px;font:inherit;",
    "min-height:42px;max-height:120px;color:var(--ink)}",
    "textarea:focus,button:focus-visible,a:focus-visible{outline:3px solid rgba(200,16,46,.35);outline-offset:1px}",
    ".send{border:0;border-radius:10px;padding:0 18px;background:var(--brand);color:#fff;font:inherit;font-weight:600;",
    "cursor:pointer}",
    ".send:disabled{opacity:.55;cursor:default}",
    ".foot{margin:0;padding:0 12px 8px;background:#fff;font-size:12px;color:var(--muted)}",
    ".foot a{color:var(--muted)}",
    ".sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);border:0}",
    ".head{flex-wrap:wrap;row-gap:6px}.head .tools{flex-basis:100%;display:flex;justify-content:flex-end;gap:8px}",
    ".head .tool{border:1px solid rgba(255,255,255,.6);background:transparent;color:#fff;border-radius:14px;",
    "padding:4px 10px;font:inherit;font-size:13px;cursor:pointer;white-space:nowrap;min-height:32px}",
    ".head .tool:hover,.head .tool[aria-pressed=true]{background:rgba(255,255,255,.22)}",
    ".materials.check{list-style:none;padding-left:0}",
    ".materials.check li{margin:0 0 8px}",
    ".mat-check{display:flex;gap:8px;align-items:flex-start;cursor:pointer}",
    ".mat-check input{width:20px;height:20px;margin:2px 0 0;flex:none;accent-color:var(--brand)}",
    ".materials.check li.done .mat-name{text-decoration:line-through;color:var(--muted)}",
    "details.mat-more{margin:2px 0 0 28px;font-size:13px;color:var(--muted)}",
    "details.mat-more summary{cursor:pointer;color:var(--brand)}",
    ".progress{margin:0 0 6px;font-size:13px;color:var(--muted)}",
    ".share{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px}",
    ".share a,.share button{border:1px solid var(--line);background:#fff;color:var(--ink);border-radius:8px;",
    "padding:6px 10px;font:inherit;font-size:13px;cursor:pointer;text-decoration:none}",
    ".share a:hover,.share button:hover{border-color:var(--brand);color:var(--brand)}",
    ".clarify .send-choices{display:block;width:100%;margin-top:14px;border:0;border-radius:10px;padding:10px 14px;",
    "background:var(--brand);color:#fff;font:inherit;font-weight:600;cursor:pointer}",
    ".clarify .send-choices:disabled{opacity:.45;cursor:default}",
    ".clarify select{font:inherit;padding:7px 10px;border:1px solid var(--brand);border-radius:10px;background:#fff;",
    "color:var(--ink);max-width:100%}",
    ".chip.none{border-style:dashed;border-color:#9aa5b1;color:var(--muted)}",
    ".root.elder{font-size:19px;line-height:1.7}",
    ".elder .head h2{font-size:20px}.elder .head p{font-size:15px}",
    ".elder .head .tool{font-size:16px;padding:6px 12px;min-height:44px}.elder .icon-btn{width:44px;height:44px}",
    ".elder .chip{font-size:18px;padding:10px 16px;border-radius:22px;min-height:48px}",
    ".elder .guide h3{font-size:22px}",
    ".elder .section h4,.elder .dept,.elder .mat-meta,.elder .mat-note,.elder .loc,.elder .facts,.elder .qr p,",
    ".elder .sample,.elder .hint,.elder .progress,.elder details.mat-more,.elder .cond,.elder .tag,.elder .foot,",
    ".elder .typing{font-size:18px}",
    ".elder .mat-check input{width:28px;height:28px}.elder details.mat-more{margin-left:36px}",
    ".elder textarea,.elder .send{font-size:19px;min-height:52px}",
    ".elder .share a,.elder .share button,.elder .clarify select{font-size:18px;padding:10px 14px;min-height:48px}",
    ".elder .launcher{font-size:19px;padding:16px 24px}",
    "@media (max-width:480px){.head{padding:10px 12px}.head p{display:none}}",
    "@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;max-width:100vw;height:100%;max-height:100%;",
    "border-radius:0}.launcher{right:16px;bottom:16px}}"
  ].join("");

  // ---- building the widget --------------------------------------------------------------

  var host = el("div");
  host.id = "wenyici-widget";
  var shadow = host.attachShadow({ mode: "open" });
  var root = el("div", "root");
  // A constructed stylesheet is not an inline <style>: it works under a Content-Security-Policy
  // without 'unsafe-inline' (ours, api/headers.py, and a host page's). Older browsers get <style>.
  var sheet = null;
  try {
    if (window.CSSStyleSheet && "adoptedStyleSheets" in shadow) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
    }
  } catch (e) { sheet = null; }
  if (!sheet) {
    var style = el("style");
    style.textContent = CSS;
    shadow.appendChild(style);
  }
  shadow.appendChild(root);

  var launcher = el("button", "launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-haspopup", "dialog");
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "wyc-panel");
  launcher.appendChild(chatIcon());
  launcher.appendChild(el("span", "", "在线咨询"));

  var panel = el("section", "panel");
  panel.id = "wyc-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "wyc-title");

  var head = el("header", "head");
  head.appendChild(el("div", "logo", "问"));
  var titles = el("div", "titles");
  var title = el("h2", "", config.title);
  title.id = "wyc-title";
  titles.appendChild(title);
  titles.appendChild(el("p", "", "一次说清，材料地点一次告知"));
  head.appendChild(titles);
  var elderBtn = el("button", "tool", "长辈版");
  elderBtn.type = "button";
  elderBtn.setAttribute("aria-pressed", "false");
  elderBtn.title = "大字号、大按钮";
  var restartBtn = el("button", "tool", "重新开始");
  restartBtn.type = "button";
  restartBtn.title = "清空本次对话，服务端也不再记得";
  var tools = el("div", "tools");  // a row of its own under the title, added after the close button
  tools.appendChild(elderBtn);
  tools.appendChild(restartBtn);
  var closeBtn = el("button", "icon-btn", "×");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", "关闭咨询窗口");
  head.appendChild(closeBtn);

  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "对话记录");

  var form = el("form");
  var inputLabel = el("label", "sr-only", "输入您的问题");
  inputLabel.setAttribute("for", "wyc-input");
  var input = el("textarea");
  input.id = "wyc-input";
  input.rows = 1;
  input.maxLength = 500;
  input.placeholder = config.askPlace ? "说说要办的事和所在乡镇" : "说说要办的事";
  var sendBtn = el("button", "send", "发送");
  sendBtn.type = "submit";
  form.appendChild(inputLabel);
  form.appendChild(input);
  form.appendChild(sendBtn);

  var foot = el("p", "foot");
  foot.appendChild(document.createTextNode("智能助手答复仅供参考 · 人工服务请拨打 "));
  var footTel = el("a", "", CONTRACT.hotline);
  footTel.href = "tel:" + CONTRACT.hotline;
  foot.appendChild(footTel);

  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(form);
  panel.appendChild(foot);
  root.appendChild(launcher);
  root.appendChild(panel);

  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  // ---- open / close -------------------------------------------------------------------------

  var greeted = false;

  function openPanel() {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    if (!greeted) greet();
    input.focus();
  }

  function closePanel() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function greet() {
    greeted = true;
    addBubble("bot", "您好！我是问一次政务服务助手。请一次说清要办的事" + (config.askPlace ? "和您所在的乡镇（街道）" : "") +
      "，我会把要带的材料、去哪办、多久办好一次告诉您。");
    var examples = config.examples.length ? config.examples : EXAMPLES;
    addChips(examples.map(function (text) { return { title: text, payload: text }; }));
  }

  // ---- fresh starts ------------------------------------------------------------------------
  // The server remembers a conversation by its sender id (the town, the facts, an open question),
  // and the screen starts empty on every load: so a reload, like 「重新开始」, ends the conversation
  // on the server too, never on one side only. Messages wait until that is done. OPEN_KEY is set
  // when a message is sent and cleared once the server forgot: a page view without a conversation
  // behind it (most of a host site's pages) costs the server nothing.
  var OPEN_KEY = "wenyici.conversation_open";
  var hadConversation = (function () {
    try { return window.localStorage.getItem(OPEN_KEY) === "1"; } catch (e) { return false; }
  })();
  var conversationReady = hadConversation ? endConversation() : Promise.resolve();

  /** Asks the server to forget this sender's conversation; if it cannot, a new sender id starts
   *  one the server has never seen. */
  function endConversation() {
    return fetch(config.api + "/api/chat/restart", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender_id: senderId() })
    }).then(function (response) { return response.ok; }, function () { return false; })
      .then(function (forgotten) {
        if (!forgotten) newSenderId();
        try { window.localStorage.removeItem(OPEN_KEY); } catch (e) { /* storage blocked */ }
      });
  }

  function newSenderId() {
    try { window.localStorage.removeItem(SENDER_KEY); } catch (e) { /* storage blocked */ }
    senderId();
  }

  function chatFetch(options) {
    return conversationReady.then(function () {
      try { window.localStorage.setItem(OPEN_KEY, "1"); } catch (e) { /* this page only */ }
      return fetch(config.api + "/api/chat", options);
    });
  }

  function restart() {
    if (busy) return;
    setBusy(true);
    conversationReady = endConversation();
    conversationReady.then(function () {
      while (log.firstChild) log.removeChild(log.firstChild);
      input.value = "";
      if (typeof notify === "function") notify("restart", { senderId: senderId() });
      setBusy(false);
      greet();
      input.focus();
    });
  }

  head.appendChild(tools);
  restartBtn.addEventListener("click", restart);

  // ---- elders' mode (长辈版), remembered on this device ---------------------------------------

  function setElder(on) {
    root.classList.toggle("elder", on);
    elderBtn.setAttribute("aria-pressed", String(on));
  }
  try { setElder(window.localStorage.getItem(ELDER_KEY) === "1"); } catch (e) { setElder(false); }
  elderBtn.addEventListener("click", function () {
    var on = !root.classList.contains("elder");
    setElder(on);
    try { window.localStorage.setItem(ELDER_KEY, on ? "1" : "0"); } catch (e) { /* this visit only */ }
  });

  // ---- the towns a place question offers (GET /api/towns), loaded once ------------------------

  var towns = null;
  fetch(config.api + "/api/towns", { headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (body) { towns = body && Array.isArray(body.towns) ? body.towns : null; }, function () { towns = null; });

  // ---- the host page's tiles: <a data-wyc-ask="怎么申请低保"> starts that conversation --------------

  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest ? event.target.closest("[data-wyc-ask]") : null;
    if (!target) return;
    event.preventDefault();
    openPanel();
    send(target.getAttribute("data-wyc-ask"));
  });

  /** After 「都不是」 or a handoff for a need not understood: the county's most asked needs, beside
   *  the human route the bot gave. */
  var menuAfterReply = false;

  function commonNeeds() {
    addBubble("bot", "也可以从常办事项中选一项，或换个说法再问一次：");
    addChips(config.needs.map(function (text) { return { title: text, payload: text }; }));
  }

  /** A reply with a guide opens at the guide's title, not at the end of its materials. */
  function afterReply() {
    if (menuAfterReply) { menuAfterReply = false; commonNeeds(); }
    var rows = Array.prototype.slice.call(log.children);
    var lastUser = -1;
    rows.forEach(function (row, index) { if (row.classList.contains("user")) lastUser = index; });
    for (var i = lastUser + 1; i < rows.length; i++) {
      var card = rows[i].querySelector(".guide");
      if (card) {
        var top = card.getBoundingClientRect().top - log.getBoundingClientRect().top;
        log.scrollTop = Math.max(0, log.scrollTop + top - 8);
        return;
      }
    }
    log.scrollTop = log.scrollHeight;
  }

  launcher.addEventListener("click", openPanel);
  closeBtn.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closePanel();
  });

  // ---- rendering messages -----------------------------------------------------------------

  function appendRow(who, child) {
    var row = el("div", "row " + who);
    row.appendChild(child);
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
    return row;
  }

  function addBubble(who, text) {
    return appendRow(who, el("div", "bubble", text));
  }

  /** Quick replies: a click sends the button's payload (its title is what the citizen sees). */
  function addChips(buttons) {
    var box = el("div", "chips");
    buttons.forEach(function (button) {
      var chip = el("button", "chip", button.title || button.payload);
      chip.type = "button";
      chip.addEventListener("click", function () {
        disableChips(box);
        send(String(button.payload || button.title), String(button.title || button.payload));
      });
      box.appendChild(chip);
    });
    return appendRow("bot", box);
  }

  function disableChips(box) {
    Array.prototype.forEach.call(box.querySelectorAll("button, select"), function (b) { b.disabled = true; });
  }

  /**
   * One message per utterance (docs/DESIGN.md §6): its text spells out for text-only channels what its
   * payload holds, so a payload the widget draws is shown instead of that text, never beside it.
   */
  function renderMessage(message) {
    var custom = message.custom || null;
    var kind = custom ? custom.type : null;
    var buttons = Array.isArray(message.buttons) ? message.buttons : [];
    if (kind === "guide") {
      var guideRow = appendRow("bot", guideCard(custom));
      notify("guide", { row: guideRow, guide: custom, question: lastQuestion });
    } else if (kind === "clarify") {
      // The text's first line introduces the questions; the card asks them, with their options.
      var intro = introLine(message.text, custom);
      if (intro) addBubble("bot", intro);
      appendRow("bot", clarifyCard(custom, buttons));
    } else if (kind === "handoff") {
      if (message.text) addBubble("bot", message.text);
      appendRow("bot", handoffNotice(custom, Boolean(message.text)));
      notify("handoff", { payload: custom, question: lastQuestion });
    } else {
      if (message.text) addBubble("bot", message.text);
      if (kind === "candidates") renderCandidates(custom);
      else if (buttons.length) addChips(buttons);
    }
  }

  function firstLine(text) {
    return text ? String(text).split("\n")[0] : "";
  }

  /** 「以下几点」 is for several questions; one is one point. */
  function introLine(text, custom) {
    var line = firstLine(text);
    var count = Array.isArray(custom.questions) ? custom.questions.length : 0;
    return count === 1 ? line.replace(/以下几点（可一次回复）/, "一点") : line;
  }

  /** The question as the card asks it: the chips are the answer, so no 「请回复序号或名称」. */
  function questionText(question) {
    return String(question.text || "").replace(/请回复序号或名称。?/, "").trim();
  }

  /** A place question comes without options; the card offers the county's towns. */
  function withTownOptions(question) {
    var options = Array.isArray(question.options) ? question.options : [];
    if (options.length || question.slot !== "place" || !towns || !towns.length) return question;
    return { slot: question.slot, text: question.text, town: true,
      options: towns.map(function (t) { return { value: t.name, label: t.name }; }) };
  }

  function renderCandidates(custom) {
    var items = Array.isArray(custom.items) ? custom.items : [];
    if (!items.length) return;
    addChips(items.map(function (item) { return { title: item.name, payload: item.name }; }));
  }

  /**
   * The one clarifying question, with every open point in it. Each point with options gets one
   * row of chips (one choice per point). A single point is answered by one click. Several are
   * answered together: with 「发送所选」 when every point has options, otherwise the choices are
   * written at the start of the input box, before whatever the citizen has typed there (the town),
   * and the citizen sends once.
   * A lone item choice sends the bot's own button payload (the item's code), not its name.
   */
  function clarifyCard(custom, buttons) {
    var card = el("div", "card clarify");
    var questions = (Array.isArray(custom.questions) ? custom.questions : []).map(withTownOptions);
    var withOptions = questions.filter(function (q) { return Array.isArray(q.options) && q.options.length; });
    var typed = questions.length - withOptions.length;
    var oneClick = questions.length === 1 && withOptions.length === 1;
    var chosen = {};
    var written = "";  // what the chips last wrote at the start of the input box
    var sendChoices = el("button", "send-choices", "确认并发送");
    sendChoices.type = "button";
    sendChoices.disabled = true;

    function buttonPayload(label) {
      for (var i = 0; i < buttons.length; i++) {
        if (buttons[i].title === label && buttons[i].payload) return String(buttons[i].payload);
      }
      return null;
    }

    function chosenText() {
      return Object.keys(chosen).sort().map(function (k) { return chosen[k]; }).join("，");
    }

    questions.forEach(function (question, index) {
      var block = el("div", "qblock");
      var options = Array.isArray(question.options) ? question.options : [];
      block.appendChild(el("p", "q", (questions.length > 1 ? index + 1 + ". " : "") + questionText(question)));
      if (!options.length) {
        block.appendChild(el("p", "hint", "请在下方输入框回复"));
        card.appendChild(block);
        return;
      }
      if (question.town) {
        block.appendChild(townPicker(question, function (label) {
          if (oneClick) { disableChips(card); send(label); return; }
          chosen[index] = label;
          sendChoices.disabled = Object.keys(chosen).length < withOptions.length;
        }));
        card.appendChild(block);
        return;
      }
      var chips = el("div", "chips");
      chips.setAttribute("role", "group");
      chips.setAttribute("aria-label", questionText(question) || "选项");
      options.forEach(function (option) {
        var label = String(option.label || option.value);
        var chip = el("button", "chip", label);
        chip.type = "button";
        chip.setAttribute("aria-pressed", "false");
        chip.addEventListener("click", function () {
          if (oneClick) {
            disableChips(card);
            send(buttonPayload(label) || String(option.payload || label), label);
            return;
          }
          Array.prototype.forEach.call(chips.children, function (c) { c.setAttribute("aria-pressed", "false"); });
          chip.setAttribute("aria-pressed", "true");
          chosen[index] = label;
          if (typed) {
            // The citizen may already have typed the rest (the town): keep it after the choices.
            var current = input.value;
            var own = current.indexOf(written) === 0 ? current.slice(written.length) : current;
            written = chosenText() + "，";
            input.value = written + own.replace(/^[，,\s]+/, "");
            input.focus();
          } else {
            sendChoices.disabled = Object.keys(chosen).length < withOptions.length;
          }
        });
        chips.appendChild(chip);
      });
      if (question.slot === "item") {
        // None of these: the bot hands the need to a person; the widget adds the common needs.
        var none = el("button", "chip none", NOT_THESE);
        none.type = "button";
        none.addEventListener("click", function () {
          disableChips(card);
          menuAfterReply = true;
          send(NOT_THESE);
        });
        chips.appendChild(none);
      }
      block.appendChild(chips);
      card.appendChild(block);
    });

    if (!oneClick && !typed && withOptions.length) {
      sendChoices.addEventListener("click", function () {
        disableChips(card);
        send(chosenText());
      });
      card.appendChild(sendChoices);
    }
    return card;
  }

  /** The towns as one select (too many for chips); the first entry asks, none is preselected. */
  function townPicker(question, onChoose) {
    var select = el("select");
    select.setAttribute("aria-label", questionText(question) || "所在乡镇（街道）");
    var ask = el("option", "", "请选择乡镇（街道）");
    ask.value = "";
    ask.disabled = true;
    ask.selected = true;
    select.appendChild(ask);
    question.options.forEach(function (option) {
      var entry = el("option", "", option.label);
      entry.value = option.label;
      select.appendChild(entry);
    });
    select.addEventListener("change", function () { if (select.value) onChoose(select.value); });
    return select;
  }

  /** The human route: the hotline, as a link that dials it. The reason code is for staff only. */
  function handoffNotice(custom, hasText) {
    if (MENU_AFTER_REASONS.indexOf(custom.reason) >= 0) menuAfterReply = true;
    var card = el("div", "card notice");
    card.setAttribute("role", "note");
    if (!hasText) card.appendChild(el("p", "", "这个问题需要人工为您解答。"));
    var phone = custom.phone || CONTRACT.hotline;
    var line = el("p");
    line.appendChild(document.createTextNode("人工服务请拨打 "));
    var link = el("a", "", phone);
    link.href = phoneHref(phone) || "tel:" + CONTRACT.hotline;
    line.appendChild(link);
    line.appendChild(document.createTextNode(" 政务服务便民热线。"));
    card.appendChild(line);
    return card;
  }

  function guideTitle(guide) {
    if (guide.bundle && guide.bundle.name) return guide.bundle.name;
    if (guide.name) return guide.name;
    var items = Array.isArray(guide.items) ? guide.items : [];
    return items.length ? items[0].name : "办事指南";
  }

  function section(title, body) {
    var box = el("div", "section");
    box.appendChild(el("h4", "", title));
    box.appendChild(body);
    return box;
  }

  // Payload words shared with the guide page and WeChat (the contract block above).
  var MISSING_LABELS = CONTRACT.missingLabels;
  var LINK_ONLY_SENTENCE = CONTRACT.linkOnlySentence;
  var HANDOFF_SENTENCE = CONTRACT.handoffSentence;

  function isOfficialMaterial(m) {
    return (m.required !== undefined && m.required !== null) || (m.originals !== undefined && m.originals !== null);
  }

  function materialMeta(m) {
    if (!isOfficialMaterial(m)) return [m.form, m.copies ? m.copies + "份" : null].filter(Boolean);
    var parts = [m.originals ? "原件" + m.originals + "份" : null, m.copies ? "复印件" + m.copies + "份" : null]
      .filter(Boolean);
    if (!parts.length && m.form) parts = [m.form];
    if (m.medium) parts.push(m.medium);
    return parts;
  }

  function missingFields(guide) {
    return guide.official && Array.isArray(guide.missing) ? guide.missing : [];
  }

  function missingAsk(guide) {
    return CONTRACT.missingText.replace("{phone}", guide.ask_phone || CONTRACT.hotline);
  }

  function missingText(guide, field) {
    return (MISSING_LABELS[field] || field) + "：" + missingAsk(guide) + "。";
  }

  function tripsText(trips, official) {
    if (trips === null || trips === undefined) return null;
    if (official) return CONTRACT.tripsAsGiven.replace("{trips}", trips);
    return Number(trips) === 0 ? CONTRACT.tripsZero : CONTRACT.tripsAtMost.replace("{trips}", trips);
  }

  function isLinkOnly(guide) {
    var materials = Array.isArray(guide.materials) ? guide.materials : [];
    return !materials.length && !guide.official && !guide.sample_notice && !guide.bundle;
  }

  /** One material to tick off: its name with condition, tag and counts; the note folds out. */
  function materialLine(material, onTick) {
    var li = el("li");
    var label = el("label", "mat-check");
    var tick = el("input");
    tick.type = "checkbox";
    tick.addEventListener("change", function () {
      li.classList.toggle("done", tick.checked);
      if (onTick) onTick();
    });
    label.appendChild(tick);
    var text = el("span", "mat-text");
    if (material.condition) text.appendChild(el("span", "cond", material.condition));
    if (material.required === true) text.appendChild(el("span", "tag", "必需"));
    if (material.required === false) text.appendChild(el("span", "tag optional", "非必需"));
    text.appendChild(el("span", "mat-name", material.name));
    var meta = materialMeta(material).join(" · ");
    if (meta) text.appendChild(el("span", "mat-meta", "（" + meta + "）"));
    label.appendChild(text);
    li.appendChild(label);
    if (material.note) {
      var more = el("details", "mat-more");
      more.appendChild(el("summary", "", "说明"));
      more.appendChild(el("span", "mat-note", material.note));
      li.appendChild(more);
    }
    return li;
  }

  /** What everyone brings first, then what depends on the citizen's situation, then the optional. */
  function materialRank(material) {
    return material.required === false ? 2 : (material.condition ? 1 : 0);
  }

  function checklist(materials) {
    var box = el("div");
    var progress = el("p", "progress");
    progress.setAttribute("aria-live", "polite");
    var list = el("ol", "materials check");
    var ordered = materials.map(function (m, i) { return { material: m, index: i }; }).sort(function (a, b) {
      return materialRank(a.material) - materialRank(b.material) || a.index - b.index;
    });
    function count() {
      progress.textContent = "勾选已备齐的材料：" + list.querySelectorAll("input:checked").length + " / " + ordered.length;
    }
    ordered.forEach(function (entry) { list.appendChild(materialLine(entry.material, count)); });
    count();
    box.appendChild(progress);
    box.appendChild(list);
    return box;
  }

  function locationCard(location) {
    var box = el("div", "loc");
    box.appendChild(el("div", "level", LEVEL_LABELS[location.level] || location.level || "办理地点"));
    box.appendChild(el("div", "name", location.name));
    var dl = el("dl");
    addTerm(dl, "地址", location.address);
    addTerm(dl, "时间", location.hours);
    if (location.phone) {
      var dd = el("dd");
      var tel = el("a", "", location.phone);
      var href = phoneHref(location.phone);
      if (href) tel.href = href;
      dd.appendChild(tel);
      dl.appendChild(el("dt", "", "电话"));
      dl.appendChild(dd);
    }
    if (dl.children.length) box.appendChild(dl);
    if (location.note) box.appendChild(el("p", "note", location.note));
    return box;
  }

  function addTerm(dl, term, value) {
    if (value === undefined || value === null || value === "") return;
    dl.appendChild(el("dt", "", term));
    dl.appendChild(el("dd", "", value));
  }

  function guideCard(guide) {
    var card = el("article", "card guide");
    var heading = el("h3");
    if (guide.bundle) heading.appendChild(el("span", "badge", "一件事"));
    heading.appendChild(document.createTextNode(guideTitle(guide)));
    card.appendChild(heading);

    var items = Array.isArray(guide.items) ? guide.items : [];
    var departments = items.map(function (i) { return i.department; }).filter(Boolean);
    departments = departments.filter(function (d, i) { return departments.indexOf(d) === i; });
    if (departments.length) card.appendChild(el("p", "dept", departments.join("、")));

    if (guide.bundle && items.length) {
      var members = el("ul", "members");
      items.forEach(function (item) { members.appendChild(el("li", "", item.name)); });
      card.appendChild(section("包含事项", members));
    }

    var materials = Array.isArray(guide.materials) ? guide.materials : [];
    var missing = missingFields(guide);
    if (materials.length) {
      card.appendChild(section("需要准备的材料", checklist(materials)));
    } else if (isLinkOnly(guide)) {
      // No materials heading over nothing: where the materials are, and who to ask.
      var box = el("div", "link-only");
      box.appendChild(el("p", "", LINK_ONLY_SENTENCE));
      if (departments.length) box.appendChild(el("p", "", "受理部门：" + departments.join("、")));
      box.appendChild(el("p", "", HANDOFF_SENTENCE));
      card.appendChild(section("材料清单", box));
    } else if (missing.indexOf("materials") >= 0) {
      card.appendChild(section("需要准备的材料", el("p", "missing", missingText(guide, "materials"))));
    } else {
      card.appendChild(section("需要准备的材料", el("p", "dept", "材料以官方办事指南为准，请扫码查看。")));
    }

    if (guide.location) {
      var where = locationCard(guide.location);
      ["address", "hours", "phone"].forEach(function (field) {
        if (missing.indexOf(field) >= 0) where.appendChild(el("p", "missing", missingText(guide, field)));
      });
      card.appendChild(section("到哪里办", where));
    }

    var facts = el("dl", "facts");
    addTerm(facts, "办理时限", guide.time_limit);
    addTerm(facts, "收费", guide.fee);
    addTerm(facts, CONTRACT.tripsLabel, tripsText(guide.trips, guide.official));
    addTerm(facts, "网上办理", guide.online);
    ["time_limit", "fee", "trips", "online"].forEach(function (field) {
      if (missing.indexOf(field) >= 0) addTerm(facts, MISSING_LABELS[field], missingAsk(guide));
    });
    if (facts.children.length) card.appendChild(section("办理须知", facts));

    card.appendChild(qrBlock(guide));
    var shareUrl = safeUrl(guide.share_url);
    if (shareUrl) card.appendChild(shareRow(guide, shareUrl));
    var notice = guide.sample_notice;
    if (notice) card.appendChild(el("p", "sample", notice));
    return card;
  }

  function qrBlock(guide) {
    var box = el("div", "qr");
    var qrUrl = safeUrl(guide.qr_url);
    if (qrUrl) {
      var img = el("img");
      img.src = qrUrl;
      img.alt = "办事指南二维码（一事一码）";
      img.width = 96;
      img.height = 96;
      box.appendChild(img);
    }
    var text = el("div");
    text.appendChild(el("p", "", guide.share_url ? "扫码打开您的这份清单（按您所说的情况定制）" : "扫码或点击查看完整办事指南"));
    var guideUrl = safeUrl(guide.guide_url);
    if (guideUrl) {
      var link = el("a", "", guide.sample_notice ? "查看完整指南 ›" : CONTRACT.officialSourceLabel + " ›");
      link.href = guideUrl;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      text.appendChild(link);
    }
    box.appendChild(text);
    return box;
  }

  /** This answer's own page (/guide/t/…): open it, save its QR as a picture, or forward it (on a
   *  phone the system share sheet, where WeChat is; elsewhere the link is copied). */
  function shareRow(guide, shareUrl) {
    var row = el("div", "share");
    var open = el("a", "", "打开我的清单");
    open.href = shareUrl;
    open.target = "_blank";
    open.rel = "noopener noreferrer";
    var save = el("a", "", "保存二维码");
    save.href = shareUrl + "/qr.png";
    save.setAttribute("download", guideTitle(guide) + "-办事清单二维码.png");
    var forward = el("button", "", "转发");
    forward.type = "button";
    forward.addEventListener("click", function () {
      var data = { title: guideTitle(guide) + " · 办事清单", url: shareUrl };
      if (navigator.share) { navigator.share(data).catch(function () { /* closed */ }); return; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(shareUrl).then(function () { forward.textContent = "链接已复制"; },
          function () { forward.textContent = shareUrl; });
      } else {
        forward.textContent = shareUrl;
      }
    });
    row.appendChild(open);
    row.appendChild(save);
    row.appendChild(forward);
    return row;
  }

  // ---- talking to the server ----------------------------------------------------------------

  var busy = false;
  var lastQuestion = "";

  // ---- extensions (takeover.js): told of guide cards, handoffs and empty replies ------------

  var extensions = [];

  /** Calls ``name`` on every extension; true when one of them handled it. An extension's error
   *  never breaks the chat. */
  function notify(name, detail) {
    var handled = false;
    extensions.forEach(function (extension) {
      if (typeof extension[name] !== "function") return;
      try { if (extension[name](detail)) handled = true; } catch (e) { /* keep chatting */ }
    });
    return handled;
  }

  function setBusy(value) {
    busy = value;
    sendBtn.disabled = value;
  }

  function send(message, shownAs) {
    var text = String(message || "").trim();
    if (!text || busy) return;
    addBubble("user", shownAs || text);
    lastQuestion = shownAs || text;
    setBusy(true);
    var typing = appendRow("bot", el("div", "typing", "正在查询…"));
    chatFetch({
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender_id: senderId(), message: text })
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        typing.remove();
        var messages = Array.isArray(body.messages) ? body.messages : [];
        // A person answering this conversation: the message went to them, the bot says nothing.
        if (!messages.length && !notify("empty", body)) addBubble("bot", "抱歉，我没有找到答案。");
        messages.forEach(renderMessage);
      })
      .catch(function () {
        typing.remove();
        addBubble("bot", "暂时无法连接咨询服务，请稍后再试。");
        appendRow("bot", handoffNotice({ phone: CONTRACT.hotline }, true));
      })
      .then(function () {
        setBusy(false);
        afterReply();
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter adds a line; IME composition (拼音 candidates) must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  function mount() {
    document.body.appendChild(host);
    if (config.open) openPanel();
    loadTakeover();
  }

  /** Live takeover by a person and ratings (api/static/takeover.js), from the widget's own origin. */
  function loadTakeover() {
    var extra = document.createElement("script");
    extra.src = config.api + "/static/takeover.js";
    extra.async = true;
    document.head.appendChild(extra);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  window.WenYiCi = {
    open: openPanel, close: closePanel, send: send,
    /** For takeover.js: register an extension and get the widget's parts to draw with. */
    extend: function (extension) {
      extensions.push(extension);
      return {
        config: config, shadow: shadow, panel: panel, log: log, form: form, el: el, senderId: senderId,
        appendRow: appendRow, addBubble: addBubble, addChips: addChips, renderMessage: renderMessage,
        phoneHref: phoneHref
      };
    }
  };
})();
