/* Display board: polls the database-backed calls endpoint every second (works across server
   processes and survives restarts: it asks for everything after the last id it has seen), shows
   the calls, and announces them in Mandarin with the browser's own speech synthesis (offline),
   one after another through a queue so announcements never overlap. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) return;
  var url = root.dataset.callsUrl;
  var repeat = Math.max(1, Math.min(3, parseInt(root.dataset.repeat, 10) || 2));
  var storeKey = "hall-board-announced-" + root.dataset.point;
  var lastId = null;
  var announcedUpTo = parseInt(localStorage.getItem(storeKey) || "0", 10);
  var queue = [];
  var speaking = false;
  var soundOn = false;
  var CATCH_UP_MS = 3 * 60 * 1000; // after a restart, announce calls missed in the last 3 minutes
  var DIGITS = "零一二三四五六七八九";

  function spoken(call) {
    // "A012" is read letter by letter and digit by digit: "A零一二".
    var n = call.number.replace(/[0-9]/g, function (d) { return DIGITS[+d]; });
    return "请" + n + "号到" + call.window + "号窗口办理";
  }

  function zhVoice() {
    if (!("speechSynthesis" in window)) return null;
    var voices = window.speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (/^zh(-|_)?(CN|Hans)?/i.test(voices[i].lang)) return voices[i];
    }
    return null;
  }

  function pump() {
    if (speaking || !queue.length || !soundOn || !("speechSynthesis" in window)) return;
    speaking = true;
    var text = queue.shift();
    var u = new SpeechSynthesisUtterance(text);
    u.lang = "zh-CN";
    var v = zhVoice();
    if (v) u.voice = v;
    u.rate = 0.9;
    var done = false;
    function next() {
      if (done) return;
      done = true;
      speaking = false;
      setTimeout(pump, 700);
    }
    u.onend = next;
    u.onerror = next;
    // Some engines never fire onend; do not let the queue stall.
    setTimeout(next, 15000);
    window.speechSynthesis.speak(u);
  }

  function announce(call) {
    for (var i = 0; i < repeat; i++) queue.push(spoken(call));
    if (call.id > announcedUpTo) {
      announcedUpTo = call.id;
      try { localStorage.setItem(storeKey, String(announcedUpTo)); } catch (e) { /* private mode */ }
    }
    pump();
  }

  function windowLabel(n) {
    return root.dataset.windowFormat.replace("{n}", String(n));
  }

  function show(call) {
    document.getElementById("latest-number").textContent = call.number;
    document.getElementById("latest-window").textContent = windowLabel(call.window) + (call.recall ? " · " + root.dataset.labelRecall : "");
    var cell = document.getElementById("w-" + call.window);
    if (cell) {
      cell.textContent = call.number;
      cell.parentNode.classList.remove("flash");
      void cell.parentNode.offsetWidth;
      cell.parentNode.classList.add("flash");
    }
    var li = document.createElement("li");
    li.textContent = call.number + " → " + windowLabel(call.window) + (call.recall ? " (" + root.dataset.labelRecall + ")" : "");
    var list = document.getElementById("recent");
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 8) list.removeChild(list.lastChild);
  }

  function handle(calls, initial) {
    var now = Date.now();
    calls.forEach(function (call) {
      show(call);
      var fresh = now - new Date(call.at).getTime() < CATCH_UP_MS;
      if (call.id > announcedUpTo && (!initial || fresh)) announce(call);
      lastId = Math.max(lastId || 0, call.id);
    });
    if (initial && calls.length) {
      announcedUpTo = Math.max(announcedUpTo, lastId);
      try { localStorage.setItem(storeKey, String(announcedUpTo)); } catch (e) { /* private mode */ }
    }
  }

  function poll() {
    var initial = lastId === null;
    // The answer is the API's list shape; one page of 100 holds every call the endpoint sends (the
    // latest 50, or the next 50 after the last one seen).
    var q = "?page_size=100" + (initial ? "" : "&after=" + lastId);
    fetch(url + q, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (page) {
        document.getElementById("status").textContent = "";
        if (initial && lastId === null) lastId = 0;
        handle(page.items, initial);
      })
      .catch(function () { document.getElementById("status").textContent = root.dataset.labelOffline; })
      .then(function () { setTimeout(poll, 1000); });
  }

  function clock() {
    var d = new Date();
    document.getElementById("clock").textContent = d.toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
  }

  var btn = document.getElementById("sound");
  btn.addEventListener("click", function () {
    soundOn = true;
    btn.hidden = true;
    if ("speechSynthesis" in window) window.speechSynthesis.getVoices();
    pump();
  });
  if ("speechSynthesis" in window) window.speechSynthesis.onvoiceschanged = function () { pump(); };
  setInterval(clock, 1000);
  clock();
  poll();
})();
