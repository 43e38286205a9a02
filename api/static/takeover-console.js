/*
 * 问一次 agent console: live chats. The queue of handed-off web conversations (the citizen's words,
 * what the assistant understood, guides already sent), claim one, answer in text or send the guide
 * open on the right with one click, release it back to the bot. Call-back requests are listed too.
 *
 * The console reports itself every HEARTBEAT_SECONDS: agents online are counted from it, and when
 * it stops (the tab is closed or the network is gone), the server puts this agent's conversations
 * back in the queue. Closing the tab also says so at once (a keepalive request on pagehide).
 * Server text goes into the page with textContent only.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "wenyici.agent_token";
  var AGENT_KEY = "wenyici.agent_id";
  var NAME_KEY = "wenyici.agent_name";
  var HEARTBEAT_SECONDS = 10;
  var QUEUE_SECONDS = 2;
  var MESSAGES_SECONDS = 1;
  var STATE_LABELS = { queued: "排队中", claimed: "人工服务中", bot: "智能助手" };
  var REASON_LABELS = {
    request_human: "市民要求转人工", complaint: "投诉建议", out_of_scope: "超出范围", nlu_fallback: "没听懂",
    not_found: "未找到事项", ambiguous: "事项不明确", assistant_unavailable: "助手不可用", no_answer: "助手无答复",
    agent_pick: "坐席主动接入", unhandled: "无法处理", referred: "转其他部门"
  };

  var root = document.getElementById("desk");
  if (!root) return;

  function token() { try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; } }
  function stored(key, make) {
    var value = null;
    try { value = sessionStorage.getItem(key); } catch (e) { /* memory only */ }
    if (!value) {
      value = make();
      try { sessionStorage.setItem(key, value); } catch (e) { /* memory only */ }
    }
    return value;
  }
  // One id per console tab: two tabs are two seats.
  var agentId = stored(AGENT_KEY, function () {
    return "agent-" + (window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));
  });
  var agentName = (function () {
    try { return localStorage.getItem(NAME_KEY) || "坐席"; } catch (e) { return "坐席"; }
  })();

  var state = { current: null, lastId: 0, guide: null, queue: [], messagesTimer: null, liveCount: 0, callbackCount: 0 };
  var baseTitle = document.title;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function call(method, path, body) {
    var headers = { Accept: "application/json" };
    if (token()) headers["X-Agent-Token"] = token();
    if (body) headers["Content-Type"] = "application/json";
    return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            var error = new Error(data.detail && typeof data.detail === "string" ? data.detail : "请求失败（HTTP " + response.status + "）");
            error.status = response.status;
            throw error;
          }
          return data;
        });
      });
  }
  function me() { return { agent_id: agentId, name: agentName }; }

  // ---- layout ---------------------------------------------------------------------------------

  var head = el("div", "desk-head");
  var title = el("h2", "", "在线会话");
  title.id = "desk-title";
  head.appendChild(title);
  var presence = el("span", "desk-presence", "");
  head.appendChild(presence);
  var nameLabel = el("label", "desk-name", "坐席名 ");
  var nameInput = el("input");
  nameInput.value = agentName;
  nameInput.maxLength = 16;
  nameInput.addEventListener("change", function () {
    agentName = nameInput.value.trim() || "坐席";
    try { localStorage.setItem(NAME_KEY, agentName); } catch (e) { /* session only */ }
    heartbeat();
  });
  nameLabel.appendChild(nameInput);
  head.appendChild(nameLabel);
  root.appendChild(head);

  var body = el("div", "desk-body");
  var lists = el("div", "desk-lists");
  lists.appendChild(el("h3", "", "等待接入"));
  var queueList = el("ul", "desk-queue");
  queueList.setAttribute("aria-label", "等待接入的会话");
  lists.appendChild(queueList);
  lists.appendChild(el("h3", "", "智能助手正在答复"));
  var liveList = el("ul", "desk-live");
  liveList.setAttribute("aria-label", "可主动接入的会话");
  lists.appendChild(liveList);
  lists.appendChild(el("h3", "", "待回电"));
  var callbackList = el("ul", "desk-callbacks");
  lists.appendChild(callbackList);
  body.appendChild(lists);

  var chat = el("div", "desk-chat");
  var chatEmpty = el("p", "desk-empty", "从左侧选择一个会话：可查看市民说过的话和智能助手的理解，接入后直接回复。");
  chat.appendChild(chatEmpty);
  var chatBox = el("div", "desk-conversation");
  chatBox.hidden = true;
  var chatTitle = el("h3", "", "");
  var context = el("div", "desk-context");
  var transcript = el("ol", "desk-transcript");
  transcript.setAttribute("aria-label", "人工服务消息");
  transcript.setAttribute("aria-live", "polite");
  var status = el("p", "status desk-status", "");
  status.setAttribute("aria-live", "polite");
  var actions = el("div", "desk-actions");
  var claimBtn = el("button", "primary", "接入");
  claimBtn.type = "button";
  var releaseBtn = el("button", "secondary", "结束人工服务，交还智能助手");
  releaseBtn.type = "button";
  var guideBtn = el("button", "secondary", "发送右侧指南卡片");
  guideBtn.type = "button";
  guideBtn.disabled = true;
  actions.appendChild(claimBtn);
  actions.appendChild(guideBtn);
  actions.appendChild(releaseBtn);
  var reply = el("form", "desk-reply");
  var replyInput = el("textarea");
  replyInput.rows = 2;
  replyInput.maxLength = 1000;
  replyInput.placeholder = "回复市民（Enter 发送，Shift+Enter 换行）";
  replyInput.setAttribute("aria-label", "回复市民");
  var replyBtn = el("button", "primary", "发送");
  replyBtn.type = "submit";
  reply.appendChild(replyInput);
  reply.appendChild(replyBtn);
  chatBox.appendChild(chatTitle);
  chatBox.appendChild(context);
  chatBox.appendChild(transcript);
  chatBox.appendChild(actions);
  chatBox.appendChild(reply);
  chatBox.appendChild(status);
  chat.appendChild(chatBox);
  body.appendChild(chat);
  root.appendChild(body);

  // The guide open in the console (agent.js tells us each time it draws one).
  document.addEventListener("wyc:guide", function (event) {
    state.guide = event.detail || null;
    guideBtn.textContent = state.guide && state.guide.name ? "发送指南卡片：" + state.guide.name : "发送右侧指南卡片";
    updateButtons();
  });

  // Folded to its one-line head while there is nothing to do (the console is for calls too);
  // the agent can unfold it by hand.
  var unfolded = false;
  var foldBtn = el("button", "secondary small desk-fold", "展开");
  foldBtn.type = "button";
  foldBtn.setAttribute("aria-expanded", "false");
  head.insertBefore(foldBtn, nameLabel);
  foldBtn.addEventListener("click", function () { unfolded = !unfolded; fold(); });

  function fold() {
    var busy = state.queue.length || state.current || state.callbackCount;
    var open = Boolean(busy || unfolded);
    root.classList.toggle("idle", !open);
    foldBtn.textContent = open ? "收起" : "展开";
    foldBtn.setAttribute("aria-expanded", String(open));
    foldBtn.hidden = Boolean(busy);
  }

  // ---- presence ---------------------------------------------------------------------------

  function heartbeat() {
    return call("POST", "/api/desk/heartbeat", me()).then(function (data) {
      presence.textContent = (data.open ? "人工服务时间内" : "非人工服务时间（" + data.hours + "）") +
        " · 在线坐席 " + data.agents_online + " 人";
    }).catch(function (error) { presence.textContent = error.message; });
  }
  heartbeat();
  setInterval(heartbeat, HEARTBEAT_SECONDS * 1000);
  window.addEventListener("pagehide", function () {
    // Said at once when the tab closes; if it is lost, the missing heartbeat says it later.
    var headers = { "Content-Type": "application/json" };
    if (token()) headers["X-Agent-Token"] = token();
    try {
      fetch("/api/desk/sign-off", { method: "POST", headers: headers, keepalive: true,
        body: JSON.stringify({ agent_id: agentId }) });
    } catch (e) { /* the heartbeat's absence says it */ }
  });

  // ---- lists ----------------------------------------------------------------------------------

  function refreshQueue() {
    return call("GET", "/api/desk/queue").then(function (data) {
      state.queue = data.queue || [];
      // A waiting citizen shows in the tab's title, so an agent on another tab sees it.
      var waiting = state.queue.filter(function (row) { return row.state === "queued"; }).length;
      document.title = (waiting ? "（" + waiting + "人等待）" : "") + baseTitle;
      renderQueue(state.queue);
      renderLive(data.live || []);
      state.liveCount = (data.live || []).length;
      fold();
    }).catch(function (error) { status.textContent = error.message; });
  }

  function waited(seconds) {
    if (seconds < 60) return seconds + " 秒";
    return Math.floor(seconds / 60) + " 分 " + (seconds % 60) + " 秒";
  }

  function renderQueue(rows) {
    clear(queueList);
    if (!rows.length) queueList.appendChild(el("li", "desk-none", "暂无"));
    rows.forEach(function (row) {
      var item = el("li");
      var button = el("button", "desk-item" + (state.current === row.sender_id ? " current" : ""));
      button.type = "button";
      button.dataset.sender = row.sender_id;
      button.appendChild(el("span", "desk-question", row.question || "（无文字）"));
      var meta = el("span", "desk-meta", (row.channel === "wechat" ? "微信 · " : "") + (STATE_LABELS[row.state] || row.state) +
        (row.agent_name ? " · " + row.agent_name : "") + " · " + (REASON_LABELS[row.reason] || row.reason || "") +
        " · 等待 " + waited(row.waiting_seconds));
      button.appendChild(meta);
      button.addEventListener("click", function () { open(row.sender_id); });
      item.appendChild(button);
      queueList.appendChild(item);
    });
  }

  function renderLive(rows) {
    clear(liveList);
    if (!rows.length) liveList.appendChild(el("li", "desk-none", "暂无"));
    rows.slice(0, 8).forEach(function (row) {
      var item = el("li");
      var button = el("button", "desk-item");
      button.type = "button";
      button.appendChild(el("span", "desk-question", row.question));
      button.appendChild(el("span", "desk-meta", "智能助手答复中 · 点击查看，可主动接入"));
      button.addEventListener("click", function () { open(row.sender_id); });
      item.appendChild(button);
      liveList.appendChild(item);
    });
  }

  function refreshCallbacks() {
    return call("GET", "/api/desk/callbacks").then(function (data) {
      clear(callbackList);
      var rows = data.callbacks || [];
      state.callbackCount = rows.length;
      fold();
      if (!rows.length) callbackList.appendChild(el("li", "desk-none", "暂无"));
      rows.forEach(function (row) {
        var item = el("li", "desk-callback");
        item.appendChild(el("span", "desk-phone", row.phone));
        item.appendChild(el("span", "desk-meta", row.question || ""));
        var done = el("button", "secondary small", "已回电");
        done.type = "button";
        done.addEventListener("click", function () {
          call("POST", "/api/desk/callbacks/" + row.id + "/done", me()).then(refreshCallbacks)
            .catch(function (error) { status.textContent = error.message; });
        });
        item.appendChild(done);
        callbackList.appendChild(item);
      });
    }).catch(function () { /* shown by the queue's error */ });
  }

  refreshQueue();
  refreshCallbacks();
  setInterval(refreshQueue, QUEUE_SECONDS * 1000);
  setInterval(refreshCallbacks, 15000);

  // ---- one conversation ---------------------------------------------------------------------------

  function open(senderId) {
    state.current = senderId;
    state.lastId = 0;
    state.convState = null;  // unknown until loaded: nothing to claim yet
    updateButtons();
    clear(transcript);
    status.textContent = "";
    chatEmpty.hidden = true;
    chatBox.hidden = false;
    chatTitle.textContent = "会话 " + senderId.slice(0, 16);
    return call("GET", "/api/desk/conversations/" + encodeURIComponent(senderId)).then(function (data) {
      if (state.current !== senderId) return;
      renderContext(data);
      (data.messages || []).forEach(addMessage);
      setConversation(data.state, data.agent_id, data.agent_name);
      pollMessages();
    }).catch(function (error) { status.textContent = error.message; });
  }

  function renderContext(data) {
    clear(context);
    var understood = data.understood || {};
    var words = el("div", "desk-words");
    words.appendChild(el("h4", "", "市民说过的话"));
    var list = el("ol");
    (data.turns || []).forEach(function (turn) {
      var line = el("li");
      line.appendChild(el("span", "who citizen", "市民："));
      line.appendChild(document.createTextNode(turn.citizen));
      if (turn.bot && turn.bot.length) {
        line.appendChild(el("span", "desk-bot", "助手：" + String(turn.bot[turn.bot.length - 1]).split("\n")[0]));
      }
      list.appendChild(line);
    });
    if (!(data.turns || []).length) list.appendChild(el("li", "desk-none", "（无记录）"));
    words.appendChild(list);
    context.appendChild(words);

    var grasp = el("dl", "desk-understood");
    function term(name, value) {
      if (!value) return;
      grasp.appendChild(el("dt", "", name));
      grasp.appendChild(el("dd", "", value));
    }
    if (understood.available === false) term("助手的理解", "智能助手暂时无法读取");
    if (understood.target) term("事项", understood.target.name || understood.target.code);
    if (understood.candidates && understood.candidates.length) {
      term("候选事项", understood.candidates.map(function (c) { return c.name || c.code; }).join("、"));
    }
    term("地点", [understood.town, understood.village].filter(Boolean).join(" "));
    var facts = understood.facts || {};
    term("情形", Object.keys(facts).map(function (k) { return k + "=" + facts[k]; }).join("，"));
    term("已发指南", (data.guides_sent || []).map(function (g) { return g.name + (g.place ? "（" + g.place + "）" : ""); }).join("、"));
    if (grasp.childNodes.length) {
      var box = el("div", "desk-grasp");
      box.appendChild(el("h4", "", "智能助手的理解"));
      box.appendChild(grasp);
      context.appendChild(box);
    }
  }

  function addMessage(message) {
    if (message.id <= state.lastId) return; // shown already
    state.lastId = message.id;
    var item = el("li", "msg " + message.author);
    var who = message.author === "citizen" ? "市民" : message.author === "agent" ? (message.agent_name || "坐席") : "系统";
    item.appendChild(el("span", "who", who + "："));
    if (message.kind === "guide" && message.payload) {
      var payload = message.payload;
      var name = (payload.bundle && payload.bundle.name) || payload.name || ((payload.items || [])[0] || {}).name || "";
      item.appendChild(el("span", "desk-card", "［指南卡片］" + name));
    } else {
      item.appendChild(document.createTextNode(message.text || ""));
    }
    transcript.appendChild(item);
    transcript.scrollTop = transcript.scrollHeight;
  }

  function setConversation(convState, ownerId, ownerName) {
    state.convState = convState;
    state.owner = ownerId;
    chatTitle.textContent = "会话 " + state.current.slice(0, 16) + " · " + (STATE_LABELS[convState] || convState) +
      (ownerName ? "（" + ownerName + "）" : "");
    updateButtons();
  }

  function mine() { return state.convState === "claimed" && state.owner === agentId; }

  function updateButtons() {
    claimBtn.hidden = mine();
    claimBtn.textContent = state.convState === "queued" ? "接入" : "主动接入";
    claimBtn.disabled = state.convState !== "queued" && state.convState !== "bot";
    releaseBtn.hidden = !mine();
    guideBtn.hidden = !mine();
    guideBtn.disabled = !state.guide;
    reply.hidden = !mine();
  }

  function pollMessages() {
    if (state.messagesTimer) clearTimeout(state.messagesTimer);
    var senderId = state.current;
    if (!senderId) return;
    call("GET", "/api/desk/conversations/" + encodeURIComponent(senderId) + "/messages?after=" + state.lastId)
      .then(function (data) {
        if (state.current !== senderId) return;
        (data.messages || []).forEach(addMessage);
        setConversation(data.state, data.agent_id, data.agent_name);
      })
      .catch(function () { /* not handed off yet (404) or offline: try again */ })
      .then(function () {
        if (state.current === senderId) state.messagesTimer = setTimeout(pollMessages, MESSAGES_SECONDS * 1000);
      });
  }

  claimBtn.addEventListener("click", function () {
    var senderId = state.current;
    var path = "/api/desk/conversations/" + encodeURIComponent(senderId) + (state.convState === "bot" ? "/pick" : "/claim");
    claimBtn.disabled = true;
    call("POST", path, me()).then(function (data) {
      status.textContent = "已接入，市民看到「人工客服正在为您服务」。";
      setConversation(data.state, agentId, agentName);
      refreshQueue();
      replyInput.focus();
    }).catch(function (error) {
      status.textContent = error.message;
      claimBtn.disabled = false;
    });
  });

  releaseBtn.addEventListener("click", function () {
    call("POST", "/api/desk/conversations/" + encodeURIComponent(state.current) + "/release", { agent_id: agentId })
      .then(function () { status.textContent = "已交还智能助手。"; setConversation("bot", null, null); refreshQueue(); })
      .catch(function (error) { status.textContent = error.message; });
  });

  guideBtn.addEventListener("click", function () {
    if (!state.guide) return;
    send({ agent_id: agentId, guide: { code: state.guide.code, query: state.guide.query || "" } });
  });

  reply.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = replyInput.value.trim();
    if (!text) return;
    send({ agent_id: agentId, text: text }).then(function (ok) { if (ok) replyInput.value = ""; });
  });
  replyInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      reply.requestSubmit ? reply.requestSubmit() : reply.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  function send(payload) {
    return call("POST", "/api/desk/conversations/" + encodeURIComponent(state.current) + "/messages", payload)
      .then(function (message) { addMessage(message); status.textContent = ""; return true; })
      .catch(function (error) { status.textContent = error.message; return false; });
  }
})();
