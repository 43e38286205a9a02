/*
 * 问一次 curators' report: attach a citizen's phrasing to an item (search the item, pick, 关联),
 * undo an attached phrasing, download the CSVs. The agent token travels in a header, as on the
 * agent console (taken once from ?token=, then kept for this tab). Server text goes in with
 * textContent only.
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
