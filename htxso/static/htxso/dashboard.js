/* Dashboard charts (ECharts, vendored): trends, the 34-province map, the ranking.
   The data is the panel rendered by the server into #panel-data; nothing is fetched but the
   map outline (a static file). Every chart has a "save as PNG" button. The sparklines are SVG
   drawn by the server. ECharts (~270 kB compressed) is fetched once the page has loaded and
   run only when a chart first comes on screen, and each chart is drawn then: a phone shows the
   figures at once and pays for a chart only when its reader scrolls to it. */
(function () {
  "use strict";
  var script = document.getElementById("dashboard-script");
  var data = JSON.parse(document.getElementById("panel-data").textContent);
  var saveTitle = script.dataset.save || "PNG";
  var nf = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en" : "vi-VN");
  var charts = [];
  window.htxsoCharts = charts; // the browser test reads the rendered charts
  var library = null;

  function loadEcharts() {
    if (!library) {
      library = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = script.dataset.echarts;
        tag.onload = function () { resolve(window.echarts); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return library;
  }
  // Draw `draw(echarts)` once a quarter of `el` is on screen.
  var pending = new Map();
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting || !pending.has(entry.target)) return;
      var draw = pending.get(entry.target);
      pending.delete(entry.target);
      observer.unobserve(entry.target);
      loadEcharts().then(draw);
    });
  }, { threshold: 0.25 }) : null;  // a quarter of the chart on screen
  // Fetch (not run) the library once the page has loaded, so a scroll to a chart finds it cached.
  window.addEventListener("load", function () {
    var hint = document.createElement("link");
    hint.rel = "prefetch";
    hint.href = script.dataset.echarts;
    document.head.appendChild(hint);
  });
  function whenVisible(el, draw) {
    if (observer) { pending.set(el, draw); observer.observe(el); }
    else loadEcharts().then(draw);
  }

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
    whenVisible(el, function () { make(el, {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : nf.format(v); } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 64, right: 16, top: 40, bottom: 28 },
      toolbox: toolbox(t.id),
      xAxis: { type: "category", data: t.periods },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return nf.format(v); } } },
      series: t.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, connectNulls: true, symbolSize: 5 };
      })
    }); });
  });

  var values = (data.map && data.map.values) || [];
  var ranking = document.getElementById("ranking");
  if (ranking && values.length) {
    var sorted = values.slice().sort(function (a, b) { return a.value - b.value; });
    whenVisible(ranking, function () { make(ranking, {
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
    }); });
  }

  var mapEl = document.getElementById("map");
  if (mapEl) whenVisible(mapEl, function () {
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
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
