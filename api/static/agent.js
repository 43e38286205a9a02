/*
 * 问一次 agent console for live calls: search-as-you-type ranked for agents, or the caller's own
 * words read by the chat's resolver; open a guide, tailor it to the caller's situation (facts,
 * a filterable town, village), copy the SMS (≤140 characters with this answer's own short link)
 * or the whole answer. Keyboard first: the search has focus, ↑↓ and Enter pick, Alt+C copies the
 * SMS, Alt+N starts the next call with nothing carried over.
 * Server text goes into the page with textContent only.
 */
(function () {
  "use strict";

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
  // Payload words shared with the widget, the guide page and WeChat (the contract block above).
  var MISSING_LABELS = CONTRACT.missingLabels;
  var LINK_ONLY_SENTENCE = CONTRACT.linkOnlySentence;
  var HANDOFF_SENTENCE = CONTRACT.handoffSentence;
  var NOT_LISTED_LINE = "都不是？不在清单的诉求按 " + CONTRACT.hotline + " 工单流程登记转办。";
  var SEARCH_DELAY_MS = 200;
  var TOKEN_KEY = "wenyici.agent_token";

  var $ = function (id) { return document.getElementById(id); };
  var state = { code: null, facts: {}, searchSeq: 0, guideSeq: 0, guide: null,
    town: null, towns: [], share: null, shareSeq: 0 };

  // ---- token: taken once from ?token=, then kept for this tab and removed from the address bar
  var token = (function () {
    var params = new URLSearchParams(location.search);
    var fromUrl = params.get("token");
    if (fromUrl) {
      try { sessionStorage.setItem(TOKEN_KEY, fromUrl); } catch (e) { /* keep in memory */ }
      params.delete("token");
      var rest = params.toString();
      history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
      return fromUrl;
    }
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  })();

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function safeUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      var url = new URL(value, location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) { return null; }
  }

  function postJson(path, body) {
    var headers = { Accept: "application/json", "Content-Type": "application/json" };
    if (token) headers["X-Agent-Token"] = token;
    return fetch(path, { method: "POST", headers: headers, body: JSON.stringify(body) }).then(function (response) {
      if (response.status === 401) throw new Error("坐席令牌无效或缺失，请用带 ?token= 的地址打开本页");
      if (!response.ok) throw new Error("请求失败（HTTP " + response.status + "）");
      return response.json();
    });
  }

  function getJson(path, withToken) {
    var headers = { Accept: "application/json" };
    if (withToken && token) headers["X-Agent-Token"] = token;
    return fetch(path, { headers: headers }).then(function (response) {
      if (response.status === 401) throw new Error("坐席令牌无效或缺失，请用带 ?token= 的地址打开本页");
      if (!response.ok) throw new Error("查询失败（HTTP " + response.status + "）");
      return response.json();
    });
  }

  // ---- search -------------------------------------------------------------------------------

  var searchTimer = null;
  $("search").addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, SEARCH_DELAY_MS);
  });
  $("search").addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      // Typed faster than the search answers: search now and open what comes first.
      if (searchTimer !== null || state.searching) { state.openFirst = true; runSearch(); return; }
      var first = $("results").querySelector("button");
      if (first) first.click();
    } else if (event.key === "ArrowDown") {
      var firstResult = $("results").querySelector("button");
      if (firstResult) { event.preventDefault(); firstResult.focus(); }
    } else if (event.key === "Escape") {
      $("search").value = "";
      runSearch();
    }
  });
  $("results").addEventListener("keydown", function (event) {
    var buttons = Array.prototype.slice.call($("results").querySelectorAll("button"));
    var index = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && index < buttons.length - 1) { event.preventDefault(); buttons[index + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (index > 0 ? buttons[index - 1] : $("search")).focus(); }
  });

  function runSearch() {
    clearTimeout(searchTimer);
    searchTimer = null;
    var query = $("search").value.trim();
    var seq = ++state.searchSeq; // answers to older keystrokes are dropped
    if (!query) { clear($("results")); $("search-status").textContent = ""; $("not-listed").hidden = true; return; }
    state.searching = true;
    getJson("/api/items?q=" + encodeURIComponent(query) + "&limit=10", true)
      .then(function (body) {
        if (seq !== state.searchSeq) return;
        state.searching = false;
        renderResults(body.results || []);
        renderNotListed(body);
        var first = $("results").querySelector("button");
        if (state.openFirst && first) first.click();
        state.openFirst = false;
      })
      .catch(function (error) {
        if (seq === state.searchSeq) $("search-status").textContent = error.message;
      });
  }

  function renderResults(results) {
    var list = $("results");
    clear(list);
    $("search-status").textContent = results.length ? "找到 " + results.length + " 项，最相关的在前" : "没有匹配的事项";
    results.forEach(function (result) {
      var li = el("li");
      var button = el("button");
      button.type = "button";
      button.dataset.code = result.code;
      button.appendChild(el("span", "kind" + (result.kind === "bundle" ? " bundle" : ""), result.kind === "bundle" ? "一件事" : "事项"));
      button.appendChild(el("span", "name", result.name));
      button.setAttribute("aria-current", String(result.code === state.code));
      button.addEventListener("click", function () { openTarget(result.code, result.name); });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  /** Below the results: the 12345 工单 route, stressed when nothing on the list fits the words. */
  function renderNotListed(body) {
    var box = $("not-listed");
    box.hidden = false;
    box.classList.toggle("stressed", body.listed === false);
    box.textContent = body.listed === false && body.hint ? body.hint : NOT_LISTED_LINE;
  }

  // ---- opening a target ---------------------------------------------------------------------

  /** ``facts``: what the caller already said (from their words); the toggles start there. */
  function openTarget(code, name, facts) {
    state.code = code;
    state.facts = Object.assign({}, facts || {});
    Array.prototype.forEach.call($("results").querySelectorAll("button"), function (b) {
      b.setAttribute("aria-current", String(b.dataset.code === code));
    });
    $("empty").hidden = true;
    $("guide").hidden = false;
    $("guide-title").textContent = name;
    $("copy-status").textContent = "";
    // Keyboard first: next the agent asks where the caller lives, unless the caller said it.
    (state.town ? $("copy-sms") : $("town")).focus();
    getJson("/api/items/" + encodeURIComponent(code) + "/facts", true)
      .then(function (body) { if (state.code === code) renderFactToggles(body.facts || []); })
      .catch(function () { clear($("facts")); });
    loadGuide();
  }

  function renderFactToggles(facts) {
    var box = $("facts");
    clear(box);
    facts.forEach(function (fact) {
      var fieldset = el("fieldset");
      var legend = el("legend", "", fact.question);
      if (fact.kind === "deciding") legend.appendChild(el("span", "tag", "决定事项"));
      fieldset.appendChild(legend);
      var choices = [{ value: "", label: "未说明" }].concat(fact.options || []);
      choices.forEach(function (option) {
        var label = el("label", "seg");
        var radio = el("input");
        radio.type = "radio";
        radio.name = "fact-" + fact.key;
        radio.value = option.value;
        radio.checked = option.value === (state.facts[fact.key] || "");
        radio.addEventListener("change", function () {
          if (option.value) state.facts[fact.key] = option.value; else delete state.facts[fact.key];
          loadGuide();
        });
        label.appendChild(radio);
        label.appendChild(el("span", "", option.label || option.value));
        fieldset.appendChild(label);
      });
      box.appendChild(fieldset);
    });
  }

  // ---- place picker ---------------------------------------------------------------------------

  function fillSelect(select, regions) {
    clear(select);
    var none = el("option", "", "未说明");
    none.value = "";
    select.appendChild(none);
    regions.forEach(function (region) {
      var option = el("option", "", region.name);
      option.value = region.code;
      select.appendChild(option);
    });
  }

  function loadTowns() {
    getJson("/api/regions", true)
      .then(function (body) {
        state.towns = body.regions || [];
        var names = $("town-names");
        clear(names);
        state.towns.forEach(function (region) {
          var option = el("option");
          option.value = region.name;
          names.appendChild(option);
        });
      })
      .catch(function (error) { $("search-status").textContent = error.message; });
  }

  /** The town by its code (null: not said); its villages follow, the guide is tailored again. */
  function setTown(code, quiet) {
    if (code === state.town) return;
    state.town = code;
    var village = $("village");
    fillSelect(village, []);
    village.disabled = !code;
    if (!quiet) loadGuide();
    if (!code) return;
    getJson("/api/regions?parent=" + encodeURIComponent(code), true)
      .then(function (body) { if (state.town === code) fillSelect(village, body.regions || []); })
      .catch(function () { village.disabled = true; });
  }

  function townNamed(text, partly) {
    return state.towns.filter(function (t) { return partly ? t.name.indexOf(text) >= 0 : t.name === text; })[0] || null;
  }

  // The picker filters as the agent types (the browser's list); a full name, or Enter on a part
  // of one (「龙台」), picks the town; an empty box means the caller has not said.
  $("town").addEventListener("input", function () {
    var text = $("town").value.trim();
    if (!text) { setTown(null); return; }
    var town = townNamed(text, false);
    if (town) setTown(town.code);
  });
  $("town").addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    var text = $("town").value.trim();
    var town = text ? townNamed(text, true) : null;
    if (town) { $("town").value = town.name; setTown(town.code); }
  });
  $("village").addEventListener("change", loadGuide);
  $("situation").addEventListener("submit", function (event) { event.preventDefault(); });

  // ---- the tailored guide -----------------------------------------------------------------------

  function guideQuery() {
    var params = new URLSearchParams();
    if (state.town) params.set("town", state.town);
    if ($("village").value) params.set("village", $("village").value);
    Object.keys(state.facts).forEach(function (key) { params.set(key, state.facts[key]); });
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function loadGuide() {
    if (!state.code) return;
    var seq = ++state.guideSeq;
    state.share = null; // the short link of the previous tailoring is not this answer's
    $("share-link").hidden = true;
    $("sms").value = "";
    $("sms-count").textContent = "";
    getJson("/api/guide/" + encodeURIComponent(state.code) + guideQuery(), false)
      .then(function (guide) { if (seq === state.guideSeq) renderGuide(guide); })
      .catch(function (error) { if (seq === state.guideSeq) $("copy-status").textContent = "指南加载失败：" + error.message; });
  }

  function guideTitle(guide) {
    if (guide.bundle && guide.bundle.name) return guide.bundle.name;
    return guide.name || ((guide.items || [])[0] || {}).name || "";
  }

  function departments(guide) {
    var seen = [];
    (guide.items || []).forEach(function (item) {
      if (item.department && seen.indexOf(item.department) < 0) seen.push(item.department);
    });
    return seen;
  }

  function tripsText(trips, official) {
    if (trips === null || trips === undefined) return null;
    if (official) return CONTRACT.tripsAsGiven.replace("{trips}", trips);
    return Number(trips) === 0 ? CONTRACT.tripsZero : CONTRACT.tripsAtMost.replace("{trips}", trips);
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

  function isLinkOnly(guide) {
    return !(guide.materials || []).length && !guide.official && !guide.sample_notice && !guide.bundle;
  }

  function requiredTag(material) {
    if (material.required === true) return "必需";
    if (material.required === false) return "非必需";
    return null;
  }

  function renderGuide(guide) {
    state.guide = guide;
    // takeover-console.js sends this guide to a citizen in a live chat with one click.
    document.dispatchEvent(new CustomEvent("wyc:guide", {
      detail: { code: state.code, name: guideTitle(guide), query: guideQuery().replace(/^\?/, "") }
    }));
    $("guide-title").textContent = guideTitle(guide);
    $("guide-dept").textContent = departments(guide).join("、");

    var members = $("members");
    clear(members);
    $("members-section").hidden = !guide.bundle;
    if (guide.bundle) (guide.items || []).forEach(function (item) { members.appendChild(el("li", "", item.name)); });

    var materials = $("materials");
    clear(materials);
    var missing = missingFields(guide);
    var linkOnly = isLinkOnly(guide);
    $("materials-title").textContent = linkOnly ? "材料清单" : "需要准备的材料";
    (guide.materials || []).forEach(function (material) {
      var li = el("li");
      if (material.condition) li.appendChild(el("span", "cond", material.condition));
      var tag = requiredTag(material);
      if (tag) li.appendChild(el("span", tag === "必需" ? "tag" : "tag optional", tag));
      li.appendChild(el("span", "", material.name));
      var meta = materialMeta(material);
      if (meta) li.appendChild(el("span", "meta", "（" + meta + "）"));
      if (material.note) li.appendChild(el("span", "note", material.note));
      if (material.details && material.details !== material.note) li.title = material.details;
      materials.appendChild(li);
    });
    if (!materials.children.length) {
      if (linkOnly) {
        materials.appendChild(el("li", "note link-only", LINK_ONLY_SENTENCE));
        if (departments(guide).length) materials.appendChild(el("li", "note link-only", "受理部门：" + departments(guide).join("、")));
        materials.appendChild(el("li", "note link-only", HANDOFF_SENTENCE));
      } else if (missing.indexOf("materials") >= 0) {
        materials.appendChild(el("li", "note missing", missingText(guide, "materials")));
      } else {
        materials.appendChild(el("li", "note", "材料以官方办事指南为准（见右侧二维码）"));
      }
    }

    renderLocation(guide.location);
    ["address", "hours", "phone"].forEach(function (field) {
      if (missing.indexOf(field) >= 0) $("location").appendChild(el("p", "missing", missingText(guide, field)));
    });

    var terms = $("terms");
    clear(terms);
    addTerm(terms, "办理时限", guide.time_limit);
    addTerm(terms, "收费", guide.fee);
    addTerm(terms, CONTRACT.tripsLabel, tripsText(guide.trips, guide.official));
    addTerm(terms, "网上办理", guide.online);
    ["time_limit", "fee", "trips", "online"].forEach(function (field) {
      if (missing.indexOf(field) >= 0) addTerm(terms, MISSING_LABELS[field], missingAsk(guide));
    });

    $("sample").hidden = !guide.sample_notice;
    $("sample").textContent = guide.sample_notice || "";

    var qr = safeUrl(guide.qr_url);
    if (qr) $("qr").src = qr; else $("qr").removeAttribute("src");
    var link = safeUrl(guide.guide_url);
    if (link) $("guide-link").href = link; else $("guide-link").removeAttribute("href");
    $("guide-link").textContent = guide.sample_notice ? "打开完整指南" : CONTRACT.officialSourceLabel;
    $("guide-url").value = link || "";
    loadShare();
  }

  // ---- this answer's own short link, QR and SMS (POST /api/agent/share) -------------------------

  function loadShare() {
    if (!state.code) return;
    var seq = ++state.shareSeq;
    var body = { code: state.code, facts: state.facts };
    if (state.town) body.town = state.town;
    if ($("village").value) body.village = $("village").value;
    postJson("/api/agent/share", body)
      .then(function (share) {
        if (seq !== state.shareSeq) return;
        state.share = share;
        $("sms").value = share.sms;
        $("sms-count").textContent = share.sms.length + " / 140 字";
        var qr = safeUrl(share.qr_url);
        if (qr) $("qr").src = qr;
        var link = safeUrl(share.share_url);
        if (link) { $("share-link").href = link; $("share-link").hidden = false; }
        $("guide-url").value = share.share_url;
      })
      .catch(function (error) {
        if (seq === state.shareSeq) $("sms-count").textContent = "短链接生成失败：" + error.message;
      });
  }

  function materialMeta(material) {
    var official = (material.required !== undefined && material.required !== null) ||
      (material.originals !== undefined && material.originals !== null);
    if (!official) return [material.form, material.copies ? material.copies + "份" : null].filter(Boolean).join("，");
    var parts = [material.originals ? "原件" + material.originals + "份" : null,
      material.copies ? "复印件" + material.copies + "份" : null].filter(Boolean);
    if (!parts.length && material.form) parts = [material.form];
    if (material.medium) parts.push(material.medium);
    return parts.join("，");
  }

  function addTerm(dl, term, value) {
    if (value === null || value === undefined || value === "") return;
    dl.appendChild(el("dt", "", term));
    dl.appendChild(el("dd", "", value));
  }

  function renderLocation(location) {
    var box = $("location");
    clear(box);
    if (!location) { box.appendChild(el("p", "note", "请先选择来电人所在乡镇")); return; }
    box.appendChild(el("div", "level", LEVEL_LABELS[location.level] || location.level));
    box.appendChild(el("div", "name", location.name));
    var dl = el("dl");
    addTerm(dl, "地址", location.address);
    addTerm(dl, "时间", location.hours);
    addTerm(dl, "电话", location.phone);
    if (dl.children.length) box.appendChild(dl);
    if (location.note) box.appendChild(el("p", "here", location.note));
  }

  // ---- copy answer ------------------------------------------------------------------------------

  /** The answer an agent can read out or paste into an SMS, in the order a 一次性告知 uses. */
  function answerText(guide) {
    var lines = ["【" + guideTitle(guide) + "】" + (departments(guide).length ? "（" + departments(guide).join("、") + "）" : "")];
    if (guide.bundle) lines.push("包含事项：" + (guide.items || []).map(function (i) { return i.name; }).join("、"));
    var missing = missingFields(guide);
    if ((guide.materials || []).length) {
      lines.push("需要准备的材料：");
      (guide.materials || []).forEach(function (m, i) {
        var meta = [requiredTag(m), materialMeta(m)].filter(Boolean).join("，");
        lines.push((i + 1) + ". " + (m.condition ? m.condition + "：" : "") + m.name + (meta ? "（" + meta + "）" : "") +
          (m.note ? "，" + m.note : ""));
      });
    } else if (isLinkOnly(guide)) {
      lines.push(LINK_ONLY_SENTENCE);
    } else if (missing.indexOf("materials") >= 0) {
      lines.push(missingText(guide, "materials"));
    } else {
      lines.push("材料以官方办事指南为准。");
    }
    var loc = guide.location;
    if (loc) {
      lines.push("办理地点：" + loc.name + "（" + (LEVEL_LABELS[loc.level] || loc.level) + "）");
      var details = [loc.address && "地址：" + loc.address, loc.hours && "时间：" + loc.hours, loc.phone && "电话：" + loc.phone]
        .filter(Boolean);
      if (details.length) lines.push(details.join("；"));
      if (loc.note) lines.push(loc.note);
    }
    var trips = tripsText(guide.trips, guide.official);
    var terms = [guide.time_limit && "办理时限：" + guide.time_limit, guide.fee && "收费：" + guide.fee,
      trips && CONTRACT.tripsLabel + "：" + trips, guide.online && "网上办理：" + guide.online]
      .filter(Boolean);
    if (terms.length) lines.push(terms.join("；"));
    missing.forEach(function (field) { if (field !== "materials") lines.push(missingText(guide, field)); });
    if (state.share) lines.push("这份清单（可转发）：" + state.share.share_url);
    // The official guide stays named for a real item; a sample item's own page is the list above.
    if (guide.guide_url && !(state.share && guide.sample_notice)) {
      lines.push((guide.sample_notice ? "办事指南：" : CONTRACT.officialSourceLabel + "：") + guide.guide_url);
    }
    if (isLinkOnly(guide)) lines.push(HANDOFF_SENTENCE);
    if (guide.sample_notice) lines.push("（" + guide.sample_notice + "）");
    return lines.join("\n");
  }

  function copyText(text, said) {
    var area = $("answer-text");
    area.value = text;
    var done = function () { $("copy-status").textContent = said; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { legacyCopy(area) ? done() : showManual(); });
    } else if (legacyCopy(area)) {
      done();
    } else {
      showManual();
    }
  }

  $("copy").addEventListener("click", function () {
    if (!state.guide) return;
    copyText(answerText(state.guide), "已复制答复，可直接宣读");
  });

  function copySms() {
    if (!state.share) { $("copy-status").textContent = state.code ? "短信正在生成，请稍候再复制" : "请先选择事项"; return; }
    copyText(state.share.sms, "已复制短信（" + state.share.sms.length + " 字，含这份清单的短链接）");
  }
  $("copy-sms").addEventListener("click", copySms);

  // ---- the next call: nothing of this one carried over ----------------------------------------------

  function newCall() {
    state.code = null;
    state.facts = {};
    state.guide = null;
    state.share = null;
    state.guideSeq++;
    state.shareSeq++;
    state.searchSeq++;
    $("search").value = "";
    clear($("results"));
    $("search-status").textContent = "";
    $("not-listed").hidden = true;
    $("caller").value = "";
    $("caller-status").textContent = "";
    $("town").value = "";
    setTown(null, true);
    clear($("facts"));
    $("copy-status").textContent = "";
    $("sms").value = "";
    $("sms-count").textContent = "";
    $("guide").hidden = true;
    $("empty").hidden = false;
    $("search").focus();
  }
  $("new-call").addEventListener("click", newCall);

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    var key = (event.key || "").toLowerCase();
    if (key === "c" || event.code === "KeyC") { event.preventDefault(); copySms(); }
    if (key === "n" || event.code === "KeyN") { event.preventDefault(); newCall(); }
  });

  // ---- the caller's own words, read by the chat's resolver (POST /api/agent/understand) ------------

  function understandCaller() {
    var text = $("caller").value.trim();
    if (!text) return;
    $("caller-status").textContent = "正在理解…";
    postJson("/api/agent/understand", { text: text })
      .then(function (body) {
        renderResults(body.candidates || []);
        renderNotListed(body);
        if (body.town) {
          $("town").value = body.town.name;
          setTown(body.town.code, true);
        }
        if (body.target) {
          $("caller-status").textContent = "已找到：" + body.target.name + (body.town ? "（" + body.town.name + "）" : "");
          openTarget(body.target.code, body.target.name, body.facts || {});
        } else {
          $("caller-status").textContent = (body.candidates || []).length ? "不能确定是哪一项，请从上面的候选中选择" : "没有找到对应事项";
          var first = $("results").querySelector("button");
          if (first) first.focus();
        }
      })
      .catch(function (error) { $("caller-status").textContent = error.message; });
  }
  $("caller-form").addEventListener("submit", function (event) { event.preventDefault(); understandCaller(); });
  $("caller").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); understandCaller(); }
  });

  function legacyCopy(area) {
    // Plain-http intranet consoles have no Clipboard API; execCommand still works there.
    area.select();
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  function showManual() {
    var area = $("answer-text");
    area.className = "manual-copy";
    area.removeAttribute("aria-hidden");
    area.removeAttribute("tabindex");
    area.focus();
    area.select();
    $("copy-status").textContent = "浏览器不允许自动复制，请在下方文本框中手动复制（Ctrl+C）";
  }

  window.WenYiCiAgent = { answerText: function () { return state.guide ? answerText(state.guide) : ""; } };

  loadTowns();
  $("search").focus();
})();
