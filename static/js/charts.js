// Draws every chart of a page from its figures (templates/includes/chart.html):
// an element [data-chart="<id>"] and a json_script element #<id> holding
// {title, kind, unit, categories, series: [{name, data}]}. The one place chart
// options are written; pages only register figures (core/charts.py).
(function () {
  if (typeof window.echarts === "undefined") return;
  const PALETTE = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#6c757d", "#ffc107"];

  function options(fig) {
    const unit = fig.unit || "";
    const base = {
      color: PALETTE,
      animation: false,
      tooltip: { trigger: fig.kind === "pie" ? "item" : "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + (unit ? " " + unit : ""); } },
      legend: { show: fig.series.length > 1 || fig.kind === "pie", bottom: 0, type: "scroll" },
    };
    if (fig.kind === "pie") {
      const s = fig.series[0] || { name: "", data: [] };
      base.series = [{
        type: "pie", name: s.name, radius: ["35%", "65%"], top: 0, bottom: 30,
        data: fig.categories.map(function (c, i) { return { name: c, value: s.data[i] }; }),
      }];
      return base;
    }
    base.grid = { left: 8, right: 16, top: 24, bottom: base.legend.show ? 40 : 16, containLabel: true };
    base.xAxis = { type: "category", data: fig.categories, axisLabel: { interval: 0, rotate: fig.categories.length > 6 ? 40 : 0, hideOverlap: true } };
    base.yAxis = { type: "value", name: unit, nameTextStyle: { align: "left" } };
    base.series = fig.series.map(function (s) {
      return { type: fig.kind, name: s.name, data: s.data, connectNulls: true, barMaxWidth: 32 };
    });
    return base;
  }

  const drawn = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    const data = document.getElementById(el.dataset.chart);
    if (!data) return;
    const fig = JSON.parse(data.textContent);
    const chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(options(fig));
    el.dataset.chartDrawn = "1";
    drawn.push(chart);
  });
  if (drawn.length) {
    window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
    // Printing: let the charts take the printed page's width.
    window.addEventListener("beforeprint", function () { drawn.forEach(function (c) { c.resize(); }); });
  }
})();
