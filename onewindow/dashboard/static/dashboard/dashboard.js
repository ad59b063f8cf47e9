/* Draws the dashboard's charts with ECharts (served from our own static files). The numbers come
   from the page (json_script "dash-charts"); every chart also has a table view and a text for
   screen readers in the page itself, so nothing is lost without this script. Clicking a bar or a
   slice follows the same drill-down link as the table row. */
(function () {
  "use strict";
  var charts = [];
  var PALETTE = ["#c8161d", "#1d4ed8", "#b45309", "#1a7f37", "#6d28d9", "#0e7490", "#be185d", "#4b5563"];

  function option(spec, dark) {
    var ink = dark ? "#e5e7eb" : "#1f2329";
    var grid = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };
    var base = {
      color: PALETTE,
      animation: false,
      textStyle: { color: ink },
      tooltip: { trigger: spec.kind === "pie" ? "item" : "axis", confine: true },
      legend: spec.series.length > 1 || spec.kind === "pie" ? { top: 0, type: "scroll", textStyle: { color: ink } } : undefined
    };
    if (spec.kind === "pie") {
      base.series = [{
        type: "pie", radius: ["35%", "65%"], top: 28,
        label: { color: ink, formatter: "{b}\n{c}" },
        data: spec.categories.map(function (c, i) { return { name: c, value: spec.series[0].data[i] }; })
      }];
      return base;
    }
    var horizontal = spec.kind === "hbar";
    var cat = { type: "category", data: spec.categories, axisLabel: { color: ink, width: horizontal ? 110 : undefined, overflow: "truncate" } };
    var val = { type: "value", axisLabel: { color: ink }, splitLine: { lineStyle: { color: dark ? "#374151" : "#e3e6eb" } } };
    if (horizontal) { cat.inverse = true; }
    base.grid = grid;
    base.xAxis = horizontal ? val : cat;
    base.yAxis = horizontal ? cat : val;
    base.series = spec.series.map(function (s) {
      var type = spec.kind === "line" ? "line" : "bar";
      var isRate = spec.kind === "line" && /%|％/.test(s.name);
      return { name: s.name, type: type, data: s.data, connectNulls: false, yAxisIndex: isRate ? 1 : 0, barMaxWidth: 28 };
    });
    if (spec.kind === "line" && base.series.some(function (s) { return s.yAxisIndex === 1; })) {
      base.yAxis = [val, { type: "value", max: 100, axisLabel: { color: ink, formatter: "{value}%" }, splitLine: { show: false } }];
    }
    return base;
  }

  function draw(root) {
    var data = document.getElementById("dash-charts");
    if (!data || typeof echarts === "undefined") { return; }
    var specs = JSON.parse(data.textContent);
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = specs[el.getAttribute("data-chart")];
      if (!spec) { return; }
      if (spec.kind !== "pie" && spec.categories.length === 0) { el.classList.add("dash-chart-empty"); return; }
      // The height of a horizontal bar chart follows its number of bars (dashboard.css reads
      // --bars); set through the CSSOM, which the Content-Security-Policy allows.
      if (el.hasAttribute("data-bars")) { el.style.setProperty("--bars", el.getAttribute("data-bars")); }
      var dark = el.getAttribute("data-theme") === "dark";
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option(spec, dark));
      chart.on("click", function (p) {
        var href = spec.links && spec.links[p.dataIndex];
        if (href) { window.location.href = href; }
      });
      el.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.body && document.body.addEventListener("htmx:afterSwap", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function () { draw(document); });
})();
