/* Dashboard charts (ECharts, vendored): trends, sparklines, the 34-province map, the ranking.
   The data is the panel rendered by the server into #panel-data; nothing is fetched but the
   map outline (a static file). Every chart has a "save as PNG" button. */
(function () {
  "use strict";
  var script = document.getElementById("dashboard-script");
  var data = JSON.parse(document.getElementById("panel-data").textContent);
  var saveTitle = script.dataset.save || "PNG";
  var nf = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en" : "vi-VN");
  var charts = [];
  window.htxsoCharts = charts; // the browser test reads the rendered charts

  function toolbox(name) {
    return { feature: { saveAsImage: { title: saveTitle, name: name, pixelRatio: 2 } }, right: 8 };
  }
  function make(el, option) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  data.trends.forEach(function (t) {
    var el = document.getElementById(t.id);
    if (!el) return;
    make(el, {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : nf.format(v); } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 64, right: 16, top: 40, bottom: 28 },
      toolbox: toolbox(t.id),
      xAxis: { type: "category", data: t.periods },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return nf.format(v); } } },
      series: t.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, connectNulls: true, symbolSize: 5 };
      })
    });
  });

  document.querySelectorAll("[data-spark]").forEach(function (el) {
    var h = data.headline[Number(el.dataset.spark)];
    if (!h || !h.spark || h.spark.length < 2) return;
    make(el, {
      grid: { left: 0, right: 0, top: 2, bottom: 2 },
      xAxis: { type: "category", show: false, data: h.spark.map(function (_v, i) { return i; }) },
      yAxis: { type: "value", show: false, scale: true },
      series: [{ type: "line", data: h.spark, symbol: "none", lineStyle: { width: 1.5 }, areaStyle: { opacity: 0.15 } }]
    });
  });

  var values = (data.map && data.map.values) || [];
  var ranking = document.getElementById("ranking");
  if (ranking && values.length) {
    var sorted = values.slice().sort(function (a, b) { return a.value - b.value; });
    make(ranking, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 110, right: 24, top: 8, bottom: 24 },
      toolbox: toolbox("xep-hang"),
      xAxis: { type: "value", axisLabel: { formatter: function (v) { return nf.format(v); } } },
      yAxis: { type: "category", data: sorted.map(function (v) { return v.name; }), axisLabel: { fontSize: 10 } },
      series: [{
        type: "bar", data: sorted.map(function (v) {
          return { value: v.value, itemStyle: v.code === script.dataset.highlight ? { color: "#d35400" } : undefined };
        })
      }]
    });
  }

  var mapEl = document.getElementById("map");
  if (mapEl) {
    fetch(script.dataset.geo).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap("vn34", geo);
      var byCode = {};
      values.forEach(function (v) { byCode[v.code] = v; });
      var max = values.reduce(function (m, v) { return Math.max(m, v.value); }, 0) || 1;
      var seriesData = geo.features.map(function (f) {
        var v = byCode[f.properties.code];
        return {
          name: f.properties.name, code: f.properties.code, value: v ? v.value : null,
          selected: f.properties.code === script.dataset.highlight
        };
      });
      var chart = make(mapEl, {
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            return p.name + ": " + (p.value == null || isNaN(p.value) ? "—" : nf.format(p.value)) + " " + (data.map.unit || "");
          }
        },
        toolbox: toolbox("ban-do"),
        visualMap: { min: 0, max: max, left: 8, bottom: 8, calculable: true, inRange: { color: ["#e8f5e9", "#1b5e20"] }, text: [nf.format(max), "0"] },
        series: [{
          type: "map", map: "vn34", roam: true, data: seriesData, nameProperty: "name",
          selectedMode: "single", label: { show: false }, emphasis: { label: { show: true } }
        }]
      });
      chart.on("click", function (p) {
        if (p.data && p.data.code) window.location = "/statistics/province/" + p.data.code + "/";
      });
      mapEl.dataset.ready = "1";
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
