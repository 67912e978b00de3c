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
    if (fig.kind === "radar") {
      // The categories are the axes; one polygon per series.
      const high = fig.high || Math.max.apply(null, fig.series.flatMap(function (s) { return s.data.filter(function (v) { return v !== null; }); }).concat([1]));
      base.tooltip = { trigger: "item" };
      base.radar = { indicator: fig.categories.map(function (c) { return { name: c, min: fig.low || 0, max: high }; }), radius: "62%", center: ["50%", "48%"] };
      base.series = [{
        type: "radar",
        data: fig.series.map(function (s) { return { name: s.name, value: s.data.map(function (v) { return v === null ? 0 : v; }) }; }),
        areaStyle: { opacity: 0.12 },
      }];
      return base;
    }
    if (fig.kind === "heatmap") {
      // The categories are the columns, the series the rows: one cell per value.
      const cells = [];
      const values = [];
      fig.series.forEach(function (s, row) {
        s.data.forEach(function (v, col) { cells.push([col, row, v === null ? "-" : v]); if (v !== null) values.push(v); });
      });
      base.tooltip = { trigger: "item", valueFormatter: base.tooltip.valueFormatter };
      base.legend = { show: false };
      // Room under the axis labels for the colour scale and its end labels (phones too).
      base.grid = { left: 8, right: 16, top: 8, bottom: 76, containLabel: true };
      base.xAxis = { type: "category", data: fig.categories, splitArea: { show: true }, axisLabel: { interval: 0, rotate: fig.categories.length > 4 ? 40 : 0, hideOverlap: true } };
      // The first series on top, as in the table beside the chart.
      base.yAxis = { type: "category", inverse: true, data: fig.series.map(function (s) { return s.name; }), splitArea: { show: true } };
      base.visualMap = {
        min: fig.low !== null && fig.low !== undefined ? fig.low : Math.min.apply(null, values.concat([0])),
        max: fig.high !== null && fig.high !== undefined ? fig.high : Math.max.apply(null, values.concat([1])),
        calculable: true, orient: "horizontal", left: "center", bottom: 0,
        inRange: { color: ["#f8d7da", "#fff3cd", "#d1e7dd", "#198754"] },
      };
      base.series = [{ type: "heatmap", data: cells, label: { show: true }, emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }];
      return base;
    }
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
