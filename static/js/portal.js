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
