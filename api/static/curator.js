/*
 * 问一次 curators' report: attach a citizen's phrasing to an item (search the item, pick, 关联),
 * undo an attached phrasing, download the CSVs, and see why a message gets its reply (说法诊断).
 * The agent token travels in a header, as on the agent console (taken once from ?token=, then kept
 * for this tab). Server text goes in with textContent only.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "wenyici.agent_token";
  var CURATOR_KEY = "wenyici.curator";
  var token = (function () {
    var params = new URLSearchParams(location.search);
    var fromUrl = params.get("token");
    if (fromUrl) {
      try { sessionStorage.setItem(TOKEN_KEY, fromUrl); } catch (e) { /* memory only */ }
      params.delete("token");
      var rest = params.toString();
      history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
      return fromUrl;
    }
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  })();
  var status = document.getElementById("status");
  var curatorInput = document.getElementById("curator");
  try { curatorInput.value = localStorage.getItem(CURATOR_KEY) || ""; } catch (e) { /* empty */ }
  curatorInput.addEventListener("change", function () {
    try { localStorage.setItem(CURATOR_KEY, curatorInput.value.trim()); } catch (e) { /* session only */ }
  });

  function call(method, path, body) {
    var headers = { Accept: "application/json" };
    if (token) headers["X-Agent-Token"] = token;
    if (body) headers["Content-Type"] = "application/json";
    return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (response) {
        if (!response.ok) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            throw new Error(typeof data.detail === "string" ? data.detail : "请求失败（HTTP " + response.status + "）");
          });
        }
        return response;
      });
  }

  function curator() {
    var name = curatorInput.value.trim();
    if (!name) { status.textContent = "请先填写操作人姓名。"; curatorInput.focus(); }
    return name;
  }

  function period() { return location.search.replace(/^\?/, ""); }

  Array.prototype.forEach.call(document.querySelectorAll("[data-download]"), function (button) {
    button.addEventListener("click", function () {
      var path = button.getAttribute("data-download") + (period() ? "?" + period() : "");
      call("GET", path).then(function (response) {
        var name = (response.headers.get("Content-Disposition") || "").replace(/.*filename="([^"]+)".*/, "$1") || "report.csv";
        return response.blob().then(function (blob) {
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = name;
          document.body.appendChild(link);
          link.click();
          link.remove();
          status.textContent = "已导出 " + name;
        });
      }).catch(function (error) { status.textContent = error.message; });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("tr[data-group]"), function (row) {
    var search = row.querySelector(".item-search");
    var choice = row.querySelector(".item-choice");
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = search.value.trim();
        if (!q) return;
        call("GET", "/api/items?q=" + encodeURIComponent(q) + "&limit=8")
          .then(function (response) { return response.json(); })
          .then(function (body) {
            while (choice.firstChild) choice.removeChild(choice.firstChild);
            (body.results || []).forEach(function (result) {
              var option = document.createElement("option");
              option.value = result.code;
              option.textContent = result.name;
              choice.appendChild(option);
            });
          })
          .catch(function (error) { status.textContent = error.message; });
      }, 200);
    });
    row.querySelector(".attach-btn").addEventListener("click", function () {
      var who = curator();
      if (!who || !choice.value) { if (!choice.value) status.textContent = "请先搜索并选择事项。"; return; }
      var phrase = row.querySelector(".phrase").textContent;
      call("POST", "/api/curator/phrasings", { phrase: phrase, item_code: choice.value, curator: who })
        .then(function (response) { return response.json(); })
        .then(function (view) {
          status.textContent = "已将「" + view.phrase + "」关联到「" + view.item_name + "」，立即生效。";
          setTimeout(function () { location.reload(); }, 800);
        })
        .catch(function (error) { status.textContent = error.message; });
    });
  });

  var OUTCOMES = { answer: "答复事项", question: "问一次（选哪一项）", every: "逐项答复", intent: "按意图答复", handoff: "转人工（没有找到）" };
  var explainForm = document.getElementById("explain-form");
  var explainText = document.getElementById("explain-text");
  var explainResult = document.getElementById("explain-result");

  function line(parent, label, text) {
    var p = document.createElement("p");
    var b = document.createElement("strong");
    b.textContent = label + "：";
    p.appendChild(b);
    p.appendChild(document.createTextNode(text));
    parent.appendChild(p);
  }

  function showExplanation(found) {
    while (explainResult.firstChild) explainResult.removeChild(explainResult.firstChild);
    var nlu = found.nlu;
    var items = nlu.items.map(function (i) { return (i.name || i.code) + "（「" + i.words + "」）"; }).join("、");
    line(explainResult, "意图", nlu.intent + "（" + nlu.confidence + "）" + (items ? "；识别出的事项：" + items : ""));
    var place = [found.place.town, found.place.village].filter(Boolean).join("");
    if (place) line(explainResult, "地点", place);
    line(explainResult, "规则", found.rule.label + "（" + found.rule.name + "）");
    var targets = found.targets.map(function (t) { return "【" + t.name + "】"; }).join("");
    line(explainResult, "结果", (OUTCOMES[found.outcome] || found.outcome) + " " + (targets || found.intent_reply || ""));
    if (!found.resolver) return;
    var r = found.resolver;
    line(explainResult, "全清单排序", r.decision + (r.wanted.length ? "；要办的动作：" + r.wanted.join("、") : "") +
      (r.elsewhere_need ? "；像清单外的需求：" + r.elsewhere_need : ""));
    var table = document.createElement("table");
    table.className = "ranked";
    r.ranked.forEach(function (s) {
      var row = table.insertRow();
      row.insertCell().textContent = s.probability.toFixed(3);
      row.insertCell().textContent = s.name;
      row.insertCell().textContent = [s.said ? "说到了名称" : "", s.action === "differs" ? "动作不符" : s.action === "agrees" ? "动作相符" : "",
        s.nlu ? "意图识别" : ""].filter(Boolean).join("，");
    });
    explainResult.appendChild(table);
  }

  function runExplain(text) {
    explainText.value = text;
    explainResult.textContent = "诊断中…";
    call("POST", "/api/curator/explain", { text: text })
      .then(function (response) { return response.json(); })
      .then(showExplanation)
      .catch(function (error) { explainResult.textContent = error.message; });
  }

  explainForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = explainText.value.trim();
    if (text) runExplain(text);
  });
  Array.prototype.forEach.call(document.querySelectorAll(".explain-btn"), function (button) {
    button.addEventListener("click", function () {
      runExplain(button.closest("tr").querySelector(".phrase").textContent);
      explainForm.scrollIntoView({ behavior: "smooth" });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".undo-btn"), function (button) {
    button.addEventListener("click", function () {
      var who = curator();
      if (!who) return;
      call("POST", "/api/curator/phrasings/" + button.getAttribute("data-id") + "/undo", { curator: who })
        .then(function () { status.textContent = "已撤销。"; setTimeout(function () { location.reload(); }, 500); })
        .catch(function (error) { status.textContent = error.message; });
    });
  });
})();
