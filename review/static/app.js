// Keyboard triage for the console. No inline script anywhere: the Content-Security-Policy
// allows only this file. Keys (ignored while typing in a field, or with Ctrl/Alt/Meta):
//   j / k   next (older) / previous (newer) article, or row in the queue
//   Enter   open the selected row (queue)
//   a       approve (the article, or the selected row of the queue)
//   r       reject: focus the reason field (on the queue: open the article to reject it)
//   /       focus the search box (on an article page: go to the queue's search)
//   Esc     leave a field
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

  // --- the queue -------------------------------------------------------------------------
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.queue tr.row"));
  var current = -1;

  function select(i) {
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
    rows[current].scrollIntoView({ block: "nearest" });
  }

  rows.forEach(function (row, i) {
    row.addEventListener("click", function (ev) {
      if (ev.target.closest("a, button, form")) return;
      select(i);
    });
  });
  if (rows.length) select(0);

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
    if (link) window.location.href = link.href;
    return true;
  }

  if (document.body.classList.contains("article-page") && window.location.hash === "#reject") {
    focusReject();
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
    if (ev.key === "Escape") {
      if (typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (typing(ev.target)) return;
    if (ev.key === "/") {
      var q = document.getElementById("q");
      if (q) { q.focus(); q.select(); } else { window.location.href = "/#search"; }
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
