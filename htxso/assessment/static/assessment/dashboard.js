/* The assessment dashboard's charts (ECharts, vendored) from #assessment-data: grades by year
   (stacked) with the Tốt/Khá share against the target, DX levels by pillar (stacked). */
(function () {
  "use strict";
  var script = document.currentScript;
  var data = JSON.parse(document.getElementById("assessment-data").textContent);
  if (typeof echarts === "undefined") return;
  var charts = [];
  window.htxsoCharts = charts;
  var colours = ["#2d6a4f", "#95d5b2", "#f4a261", "#e76f51", "#264653", "#8ab17d"];
  var years = data.years.map(function (y) { return String(y.year); });
  var grades = echarts.init(document.getElementById("grade-chart"));
  var series = data.grades.map(function (name, i) {
    return { name: name, type: "bar", stack: "g", color: colours[i], data: data.years.map(function (y) { return y.counts[i]; }) };
  });
  series.push({ name: script.dataset.share, type: "line", yAxisIndex: 1, color: "#1d3557",
    data: data.years.map(function (y) { return y.share; }),
    markLine: data.target.share ? { symbol: "none", lineStyle: { type: "dashed", color: "#d62828" },
      data: [{ yAxis: data.target.share, name: script.dataset.target }], label: { position: "insideEndTop", formatter: script.dataset.target + " {c}%" } } : undefined });
  grades.setOption({
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 48, right: 48, top: 48, bottom: 24 },
    xAxis: { type: "category", data: years },
    yAxis: [{ type: "value" }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
    series: series
  });
  charts.push(grades);
  var levelColours = ["#d62828", "#f4a261", "#e9c46a", "#95d5b2", "#52b788", "#1b4332"];
  var dx = echarts.init(document.getElementById("dx-chart"));
  dx.setOption({
    tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" }, grid: { left: 150, right: 16, top: 48, bottom: 24 },
    xAxis: { type: "value" }, yAxis: { type: "category", data: data.dx.pillars },
    series: data.dx.levels.map(function (name, i) {
      return { name: i + " " + name, type: "bar", stack: "l", color: levelColours[i], data: data.dx.matrix[i] };
    })
  });
  charts.push(dx);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
