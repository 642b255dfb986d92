/* Price charts (ECharts, vendored): a series with its forecast and intervals, its seasonal
   profile, and the comparison of a commodity's series. Data comes from json_script tags. */
(function () {
  "use strict";
  var charts = [];
  window.htxsoPriceCharts = charts; // the browser test reads the rendered charts
  function make(node, option) {
    var chart = echarts.init(node);
    option.animation = false; // drawn at once: slow phones, and screenshots show the whole line
    chart.setOption(option);
    charts.push(chart);
  }
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function vnd(value) {
    return value == null ? "—" : Math.round(value).toLocaleString("vi-VN");
  }
  function tooltip() {
    return {trigger: "axis", valueFormatter: vnd};
  }
  var labels = data("chart-labels");
  var priceNode = document.getElementById("price-chart");
  if (priceNode && labels) {
    var months = data("chart-months"), values = data("chart-values"), band = data("chart-band");
    var outliers = data("chart-outliers");
    var axis = months.concat(band.months);
    var pad = months.map(function () { return null; });
    function future(key) { return pad.concat(band[key]); }
    function stacked(lo, hi) {
      return [pad.concat(band[lo]), pad.concat(band[hi].map(function (v, i) {
        return v == null || band[lo][i] == null ? null : v - band[lo][i];
      }))];
    }
    var i95 = stacked("lo95", "hi95"), i80 = stacked("lo80", "hi80");
    var start = Math.max(0, 100 - (100 * 120) / Math.max(axis.length, 1));
    make(priceNode, {
      tooltip: tooltip(),
      legend: {top: 0, type: "scroll", data: [labels.history, labels.forecast, labels.i80, labels.i95, labels.outlier]},
      grid: {left: 72, right: 24, top: 40, bottom: 64},
      xAxis: {type: "category", data: axis},
      yAxis: {type: "value", scale: true, axisLabel: {formatter: vnd}},
      dataZoom: [{type: "slider", start: start, end: 100}],
      series: [
        {name: labels.history, type: "line", data: values, showSymbol: false, connectNulls: false},
        {name: labels.outlier, type: "scatter", data: outliers, symbolSize: 9, itemStyle: {color: "#d9822b"}},
        {name: "95-base", type: "line", data: i95[0], stack: "i95", lineStyle: {opacity: 0}, showSymbol: false, tooltip: {show: false}},
        {name: labels.i95, type: "line", data: i95[1], stack: "i95", lineStyle: {opacity: 0}, showSymbol: false, areaStyle: {color: "rgba(25,135,84,0.15)"}},
        {name: "80-base", type: "line", data: i80[0], stack: "i80", lineStyle: {opacity: 0}, showSymbol: false, tooltip: {show: false}},
        {name: labels.i80, type: "line", data: i80[1], stack: "i80", lineStyle: {opacity: 0}, showSymbol: false, areaStyle: {color: "rgba(25,135,84,0.3)"}},
        {name: labels.forecast, type: "line", data: future("mean"), lineStyle: {type: "dashed"}, showSymbol: false}
      ]
    });
    var profile = data("chart-profile");
    make(document.getElementById("profile-chart"), {
      tooltip: tooltip(),
      xAxis: {type: "category", name: labels.month, data: ["1","2","3","4","5","6","7","8","9","10","11","12"]},
      yAxis: {type: "value", axisLabel: {formatter: vnd}},
      series: [{name: labels.profile, type: "bar", data: profile}]
    });
  }
  var compareNode = document.getElementById("compare-chart");
  if (compareNode) {
    var lines = data("compare-lines");
    make(compareNode, {
      tooltip: tooltip(),
      legend: {top: 0, type: "scroll", data: lines.map(function (l) { return l.name; })},
      grid: {left: 72, right: 24, top: 40, bottom: 64},
      xAxis: {type: "category", data: data("compare-months")},
      yAxis: {type: "value", scale: true, axisLabel: {formatter: vnd}},
      dataZoom: [{type: "slider", start: 70, end: 100}],
      series: lines.map(function (l) {
        return {name: l.name, type: "line", data: l.data, showSymbol: false, connectNulls: true};
      })
    });
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
