// Polls running export jobs and reloads the page when one finishes.
(function () {
  const rows = document.querySelectorAll("[data-export-status-url]");
  if (!rows.length) return;
  function poll() {
    let pending = 0;
    rows.forEach(function (row) {
      if (row.dataset.finished === "1") return;
      pending += 1;
      fetch(row.dataset.exportStatusUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          const bar = row.querySelector(".progress-bar");
          if (bar) { bar.style.width = job.progress + "%"; bar.textContent = job.progress + "%"; }
          if (job.status === "done" || job.status === "failed") { window.location.reload(); }
        });
    });
    if (pending) window.setTimeout(poll, 2000);
  }
  window.setTimeout(poll, 1500);
})();

// Phones show tables as stacked cards: each cell gets its column's name (data-label),
// taken from the table's header row, so no template has to repeat it.
(function () {
  document.querySelectorAll(".table-responsive > table.table:not(.table-matrix)").forEach(function (table) {
    const heads = Array.from(table.querySelectorAll("thead tr:first-child > th")).map(function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) return;
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
      let col = 0;
      Array.from(row.children).forEach(function (cell) {
        if (!cell.hasAttribute("data-label") && col > 0) cell.setAttribute("data-label", heads[col] || "");
        if (col > 0 && !cell.textContent.trim() && !cell.querySelector("input,select,button,img,svg")) cell.classList.add("cell-empty");
        col += cell.colSpan || 1;
      });
    });
  });
})();

// Behaviour that templates declare with data attributes, so that no page needs
// an inline script, handler or style (the Content-Security-Policy allows none).
(function () {
  document.querySelectorAll(".progress-bar[data-width]").forEach(function (bar) {
    const width = parseFloat(bar.dataset.width);
    if (!isNaN(width)) bar.style.width = Math.max(0, Math.min(100, width)) + "%";
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("a[data-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();

// Pages that must refresh (the check-in screen, when its code rotates) and selects
// that choose where their form posts, declared with data attributes (no inline script).
(function () {
  const reload = document.querySelector("[data-reload-after]");
  if (reload) {
    const seconds = parseFloat(reload.dataset.reloadAfter);
    if (!isNaN(seconds)) window.setTimeout(function () { window.location.reload(); }, Math.max(1, seconds) * 1000);
  }
  document.querySelectorAll("select[data-sets-form-action]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.action = select.value; });
  });
})();

// A tab bar that scrolls sideways (.nav-scroll) shows its active tab, not always the first.
(function () {
  document.querySelectorAll(".nav-scroll").forEach(function (nav) {
    const active = nav.querySelector(".nav-link.active");
    if (!active || nav.scrollWidth <= nav.clientWidth) return;
    const left = active.offsetLeft - (nav.clientWidth - active.offsetWidth) / 2;
    nav.scrollLeft = Math.max(0, left);
  });
})();
