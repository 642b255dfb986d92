/* The radar of DX levels per pillar (ECharts, vendored): one series per assessment, from
   #radar-data rendered by the server. */
(function () {
  "use strict";
  var el = document.getElementById("radar");
  var data = JSON.parse(document.getElementById("radar-data").textContent);
  if (!el || typeof echarts === "undefined") return;
  var chart = echarts.init(el, null, { renderer: "canvas" });
  window.htxsoCharts = [chart];
  chart.setOption({
    tooltip: {},
    legend: { bottom: 0, data: data.series.map(function (s) { return s.name; }) },
    radar: {
      indicator: data.pillars.map(function (name) { return { name: name, max: data.max }; }),
      radius: "62%",
      axisName: { color: "#1b4332", fontSize: 11 }
    },
    series: [{
      type: "radar",
      data: data.series.map(function (s) { return { name: s.name, value: s.levels, areaStyle: { opacity: 0.15 } }; })
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
