// Keyboard triage for the console. No inline script anywhere: the Content-Security-Policy
// allows only this file. Keys (ignored while typing in a field, or with Ctrl/Alt/Meta):
//   j / k   next (older) / previous (newer) article, or row in the queue
//   Enter   open the selected row (queue)
//   a       approve (the article, or the selected row of the queue)
//   r       reject: focus the reason field (on the queue: open the article to reject it)
//   u       undo the approval or rejection just made ("Hoàn tác", for a few seconds)
//   /       focus the search box (on an article page: go to the queue's search)
//   ?       the shortcuts panel (Esc closes it)
//   Esc     leave a field
// The article page also keeps the editor's unsaved title, lead and text: in this browser's
// localStorage while they type (offered back after a lost session), and behind a question
// before anything would drop them (approve, reject, another page).
"use strict";
(function () {
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function submit(form) {
    if (!form) return;
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  }

  function param(name) {
    return new URLSearchParams(window.location.search).get(name);
  }

  // --- the menu on a phone --------------------------------------------------------------
  // Under the stylesheet's phone width the menu folds behind the "Menu" button once this
  // script runs ("menu-ready"); without it the links simply stay listed, each a full row.
  var header = document.querySelector("header.top");
  var menuButton = document.getElementById("menu-toggle");

  function openMenu(open) {
    header.classList.toggle("menu-open", open);
    menuButton.setAttribute("aria-expanded", open ? "true" : "false");
  }

  if (header && menuButton) {
    header.classList.add("menu-ready");
    menuButton.addEventListener("click", function () {
      openMenu(!header.classList.contains("menu-open"));
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && header.classList.contains("menu-open")) {
        openMenu(false);
        menuButton.focus();
      }
    });
  }

  // --- tables as cards on a phone -------------------------------------------------------
  // The phone layout shows each row as a card; a cell then says which column it is from a
  // data-label copied here from the heading that covers exactly its columns (so a quarter
  // spanning three months reads "Quý II", a month "T5"), never a second copy of the words.
  function headings(thead) {
    var taken = [];
    var found = [];
    Array.prototype.forEach.call(thead.rows, function (tr, r) {
      var col = 0;
      taken[r] = taken[r] || [];
      Array.prototype.forEach.call(tr.cells, function (th) {
        while (taken[r][col]) col++;
        for (var i = 0; i < th.rowSpan; i++) {
          taken[r + i] = taken[r + i] || [];
          for (var j = 0; j < th.colSpan; j++) taken[r + i][col + j] = true;
        }
        found.push({ start: col, end: col + th.colSpan, text: th.textContent.trim() });
        col += th.colSpan;
      });
    });
    return found;  // in document order: a later (lower) heading row wins below
  }

  Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
    if (!table.tHead) return;
    var heads = headings(table.tHead);
    var bodies = Array.prototype.slice.call(table.tBodies);
    if (table.tFoot) bodies.push(table.tFoot);
    bodies.forEach(function (body) {
      Array.prototype.forEach.call(body.rows, function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.cells, function (cell) {
          var label = "";
          heads.forEach(function (h) {
            if (h.start === col && h.end === col + cell.colSpan && h.text) label = h.text;
          });
          if (label && cell.tagName === "TD") cell.dataset.label = label;
          col += cell.colSpan;
        });
      });
    });
  });

  // --- the queue -------------------------------------------------------------------------
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.queue tr.row"));
  var current = -1;

  function select(i, quiet) {
    if (!rows.length) return;
    if (i < 0) i = 0;
    if (i >= rows.length) {
      var older = document.getElementById("older-page");
      if (older) { window.location.href = older.href; return; }
      i = rows.length - 1;
    }
    if (current >= 0) rows[current].classList.remove("selected");
    current = i;
    rows[current].classList.add("selected");
    if (!quiet) rows[current].scrollIntoView({ block: "nearest" });
  }

  rows.forEach(function (row, i) {
    row.addEventListener("click", function (ev) {
      if (ev.target.closest("a, button, form")) return;
      select(i);
    });
  });

  // After an action on a row the selection stays where the editor was: on the row that took
  // its place (rows are newest first, so the first one not newer than the acted-on article;
  // the article itself when it is still listed), never back at the top, where a second `a`
  // would approve an article nobody looked at.
  var AFTER_ACTION = { approved: 1, rejected: 1, undone: 1, duplicate: 1, merged: 1, restored: 1 };

  function rowAfterAction() {
    var acted = Number(param("id"));
    if (!AFTER_ACTION[param("msg")] || !acted) return 0;
    for (var i = 0; i < rows.length; i++) {
      if (Number(rows[i].dataset.id) <= acted) return i;
    }
    return rows.length - 1;
  }

  // A fresh queue opens at the top of the page (on a phone the first row lies below the
  // filters: scrolling to it hid the menu and the search); after an action the page
  // scrolls to the row where the editor was.
  if (rows.length) select(rowAfterAction(), !AFTER_ACTION[param("msg")]);

  function queueKey(key) {
    if (!rows.length) return false;
    var row = rows[current];
    switch (key) {
      case "j": select(current + 1); return true;
      case "k": select(current - 1); return true;
      case "Enter": case "o": window.location.href = row.dataset.href; return true;
      case "a": submit(row.querySelector("form.approve-form")); return true;
      case "r": window.location.href = row.dataset.href + "#reject"; return true;
    }
    return false;
  }

  // --- unsaved edits: drafts kept in this browser ----------------------------------------
  // One draft per editor and article ("dienhinh:draft:LOGIN:ID": the fields and the version
  // they were typed over), written at each keystroke while the fields differ from the saved
  // article, removed once a page says the article was saved or decided on.
  var DRAFT_FIELDS = ["title", "lead", "text"];
  var DRAFT_PREFIX = "dienhinh:draft:";
  var SAVED_NOTICES = { saved: 1, "saved-to-review": 1, unchanged: 1, approved: 1, rejected: 1 };
  var editForm = document.getElementById("edit-form");
  var leaving = false; // the editor chose to leave (saving, or dropping the edits): no question

  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function draftKey() {
    return DRAFT_PREFIX + editForm.dataset.user + ":" + editForm.dataset.article;
  }

  function readDraft() {
    var s = store();
    if (!s) return null;
    try { return JSON.parse(s.getItem(draftKey()) || "null"); } catch (e) { return null; }
  }

  function dropDraft() {
    var s = store();
    if (s) s.removeItem(draftKey());
  }

  function forgetSavedDrafts() {
    var id = param("id");
    var s = store();
    if (!s || !SAVED_NOTICES[param("msg")] || !/^\d+$/.test(id || "")) return;
    for (var i = s.length - 1; i >= 0; i--) {
      var k = s.key(i);
      if (k && k.indexOf(DRAFT_PREFIX) === 0 && k.slice(-(id.length + 1)) === ":" + id) {
        s.removeItem(k);
      }
    }
  }

  function editFields() {
    if (!editForm) return [];
    return DRAFT_FIELDS.map(function (n) { return editForm.elements.namedItem(n); })
      .filter(function (f) { return f && "defaultValue" in f; });
  }

  function isDirty() {
    return editFields().some(function (f) { return f.value !== f.defaultValue; });
  }

  function keepDraft() {
    if (!isDirty()) { dropDraft(); return; }
    var d = { version: editForm.dataset.version, at: new Date().toISOString() };
    editFields().forEach(function (f) { d[f.name] = f.value; });
    var s = store();
    try { if (s) s.setItem(draftKey(), JSON.stringify(d)); } catch (e) { /* full: the dialog still asks */ }
  }

  function resetEdits() {
    editFields().forEach(function (f) { f.value = f.defaultValue; });
    dropDraft();
  }

  function offerDraft() {
    var d = readDraft();
    if (!d) return;
    var differs = editFields().some(function (f) {
      return typeof d[f.name] === "string" && d[f.name] !== f.value;
    });
    if (!differs) { dropDraft(); return; }
    var box = document.getElementById("draft-restore");
    if (!box) return;
    var at = new Date(d.at);
    document.getElementById("draft-restore-at").textContent =
      isNaN(at.getTime()) ? "" : at.toLocaleString("vi-VN");
    document.getElementById("draft-restore-stale").hidden =
      String(d.version) === editForm.dataset.version;
    box.hidden = false;
    document.getElementById("draft-restore-yes").addEventListener("click", function () {
      editFields().forEach(function (f) {
        if (typeof d[f.name] === "string") f.value = d[f.name];
      });
      keepDraft();
      box.hidden = true;
      var first = editFields()[0];
      if (first) { first.scrollIntoView({ block: "center" }); first.focus(); }
    });
    document.getElementById("draft-restore-no").addEventListener("click", function () {
      dropDraft();
      box.hidden = true;
    });
  }

  // --- unsaved edits: asking before they are lost ----------------------------------------
  var pending = null; // what the editor was doing when asked: {kind, form, submitter, url}

  function intent(name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    input.className = "intent";
    editForm.appendChild(input);
  }

  function copySeenText(form) {
    // The approve form carries the text on the page: the server refuses the approval if it
    // is not the stored text (an edit nobody saved).
    editFields().forEach(function (f) {
      var input = form.querySelector("input.seen[name='" + f.name + "']");
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = f.name;
        input.className = "seen";
        form.appendChild(input);
      }
      input.value = f.value;
    });
  }

  function askBeforeLeaving(what) {
    var dialog = document.getElementById("leave-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return false;
    pending = what;
    var save = document.getElementById("leave-save");
    var label = { approve: "labelApprove", reject: "labelReject" }[what.kind];
    save.textContent = (label && save.dataset[label]) || save.dataset.label;
    document.getElementById("leave-approve-note").hidden = what.kind !== "approve";
    dialog.showModal();
    save.focus();
    return true;
  }

  function saveThen(what) {
    // One post of the edit form: the save, then the decision or the page the editor was
    // going to (the server does both, or neither).
    if (!editForm.checkValidity()) { editForm.reportValidity(); return; }
    Array.prototype.slice.call(editForm.querySelectorAll("input.intent")).forEach(function (i) {
      i.remove();
    });
    if (what.kind === "approve") intent("then", "approve");
    if (what.kind === "reject") {
      intent("then", "reject");
      intent("reason", document.getElementById("reject-reason").value);
    }
    if (what.kind === "link") intent("next", what.url);
    submit(editForm);
  }

  function discardThen(what) {
    resetEdits();
    if (what.kind === "approve") {
      // Never approve in the same breath as dropping the edits: the editor reads the saved
      // text first, then approves.
      var approve = document.getElementById("approve");
      if (approve) approve.focus();
      return;
    }
    leaving = true;
    if (what.kind === "link") { window.location.href = what.url; return; }
    if (what.submitter && typeof what.form.requestSubmit === "function") {
      what.form.requestSubmit(what.submitter);
    } else {
      submit(what.form);
    }
  }

  function goTo(url) {
    var u = new URL(url, window.location.href);
    if (editForm && !leaving && isDirty() &&
        askBeforeLeaving({ kind: "link", url: u.pathname + u.search + u.hash })) return;
    window.location.href = url;
  }

  function guardSubmit(ev) {
    var form = ev.target;
    if (!editForm || leaving) return;
    if (form === editForm) { leaving = true; return; } // saving: the draft stays until saved
    if (form.id === "approve-form") copySeenText(form);
    if (!isDirty()) return;
    var kind = { "approve-form": "approve", "reject-form": "reject" }[form.id] || "form";
    if (askBeforeLeaving({ kind: kind, form: form, submitter: ev.submitter })) ev.preventDefault();
  }

  function guardLink(ev) {
    if (!editForm || leaving || ev.defaultPrevented || ev.button !== 0) return;
    if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    var a = ev.target.closest ? ev.target.closest("a[href]") : null;
    if (!a || a.target === "_blank" || a.hasAttribute("download")) return;
    var u = new URL(a.href, window.location.href);
    if (u.origin !== window.location.origin) return; // beforeunload asks
    if (u.pathname === window.location.pathname && u.search === window.location.search && u.hash) return;
    if (!isDirty()) return;
    if (askBeforeLeaving({ kind: "link", url: u.pathname + u.search + u.hash })) ev.preventDefault();
  }

  function setUpLeaveDialog() {
    var dialog = document.getElementById("leave-dialog");
    if (!dialog) return;
    function answer(fn) {
      return function () {
        var what = pending;
        pending = null;
        dialog.close();
        if (what && fn) fn(what);
      };
    }
    document.getElementById("leave-save").addEventListener("click", answer(saveThen));
    document.getElementById("leave-discard").addEventListener("click", answer(discardThen));
    document.getElementById("leave-stay").addEventListener("click", answer(null));
    dialog.addEventListener("cancel", function () { pending = null; }); // Esc: stay
  }

  if (editForm) {
    forgetSavedDrafts();
    offerDraft();
    editForm.addEventListener("input", keepDraft);
    editForm.addEventListener("change", keepDraft);
    setUpLeaveDialog();
    document.addEventListener("submit", guardSubmit);
    document.addEventListener("click", guardLink);
    window.addEventListener("beforeunload", function (ev) {
      // Leaving the site, reloading, closing the tab: the browser's own question.
      if (leaving || !isDirty()) return;
      keepDraft();
      ev.preventDefault();
      ev.returnValue = "";
    });
  } else {
    forgetSavedDrafts();
  }

  // --- undo ("Hoàn tác") -----------------------------------------------------------------
  function undoCountdown() {
    var form = document.getElementById("undo-form");
    if (!form) return;
    var left = Number(form.dataset.seconds) || 0;
    var out = document.getElementById("undo-left");
    var timer = window.setInterval(function () {
      left -= 1;
      if (out) out.textContent = String(Math.max(left, 0));
      if (left <= 0) {
        window.clearInterval(timer);
        form.remove(); // the server would refuse it now
      }
    }, 1000);
  }
  undoCountdown();

  // --- the shortcuts panel (?) -----------------------------------------------------------
  function openKeys() {
    var panel = document.getElementById("keys-panel");
    if (!panel || panel.open || typeof panel.showModal !== "function") return false;
    panel.showModal();
    return true;
  }

  (function () {
    var open = document.getElementById("keys-open");
    var close = document.getElementById("keys-close");
    if (open) open.addEventListener("click", openKeys);
    if (close) close.addEventListener("click", function () {
      document.getElementById("keys-panel").close();
    });
  })();

  // --- one article ---------------------------------------------------------------------
  function focusReject() {
    var reason = document.getElementById("reject-reason");
    if (!reason) return false;
    reason.scrollIntoView({ block: "center" });
    reason.focus();
    return true;
  }

  function articleKey(key) {
    if (!document.body.classList.contains("article-page")) return false;
    var link;
    switch (key) {
      case "j": link = document.getElementById("older"); break;
      case "k": link = document.getElementById("newer"); break;
      case "a": submit(document.getElementById("approve-form")); return true;
      case "r": return focusReject();
      default: return false;
    }
    if (link) goTo(link.href);
    return true;
  }

  if (document.body.classList.contains("article-page") && window.location.hash === "#reject") {
    focusReject();
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
    if (document.querySelector("dialog[open]")) return; // a question or the panel: Esc closes it
    if (ev.key === "Escape") {
      if (typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (typing(ev.target)) return;
    if (ev.key === "?") {
      if (openKeys()) ev.preventDefault();
      return;
    }
    if (ev.key === "u" && document.getElementById("undo-form")) {
      submit(document.getElementById("undo-form"));
      ev.preventDefault();
      return;
    }
    if (ev.key === "/") {
      var q = document.getElementById("q");
      if (q) { q.focus(); q.select(); } else { goTo("/#search"); }
      ev.preventDefault();
      return;
    }
    if (articleKey(ev.key) || queueKey(ev.key)) ev.preventDefault();
  });

  // --- the compliance grid: open it on the running quarter --------------------------------
  // On a screen narrower than the grid, scroll it so the running quarter (its months and
  // a quarterly unit's whole cell) sits right after the unit names, which stay in view;
  // after a click on a cell, that cell instead.
  var target = document.querySelector("table.compliance td.cell-selected") ||
    document.querySelector("table.compliance th.quarter.current-period");
  var grid = target && target.closest(".grid-wrap");
  if (grid && grid.scrollWidth > grid.clientWidth) {
    var names = grid.querySelector("th.unit-name");
    var edge = names ? names.offsetLeft + names.offsetWidth : 0;
    grid.scrollLeft = Math.max(0, target.offsetLeft - edge);
  }

  if (window.location.hash === "#search") {
    var box = document.getElementById("q");
    if (box) box.focus();
  }
})();
