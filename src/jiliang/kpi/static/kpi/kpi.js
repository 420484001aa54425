// kpi pages (live.html, indicator.html): kept out of the page for the Content Security Policy (script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  const data = id => { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; };
  const labels = (document.getElementById("kpi-labels") || {dataset: {}}).dataset;

  const vs = document.getElementById("chart-vs-target");
  if (vs) {
    const rows = data("data-vs-target") || [];
    echarts.init(vs).setOption({animation: false,
      tooltip: {trigger: "axis", formatter: ps => ps.map(p => rows[p.dataIndex].label + " " + rows[p.dataIndex].name
        + ": " + (p.value == null ? "—" : p.value + " %")).join("<br>")},
      grid: {left: 50, right: 20, top: 20, bottom: 40},
      xAxis: {type: "category", data: rows.map(r => r.label)},
      yAxis: {type: "value", axisLabel: {formatter: "{value} %"}},
      series: [{name: labels.pct, type: "bar", data: rows.map(r => r.pct),
                itemStyle: {color: p => (p.value != null && p.value >= 100) ? "#198754" : "#fd7e14"},
                markLine: {symbol: "none", label: {formatter: labels.target + " 100 %"}, data: [{yAxis: 100}]}}]});
    vs.dataset.ready = "1";
  }

  const sparks = data("data-sparks") || {};
  document.querySelectorAll(".kpi-spark").forEach(el => {
    const points = sparks[el.dataset.key] || [];
    if (points.length < 2) return;
    echarts.init(el).setOption({animation: false,
      grid: {left: 2, right: 2, top: 2, bottom: 2}, tooltip: {trigger: "axis"},
      xAxis: {type: "category", show: false, data: points.map(p => p[0])},
      yAxis: {type: "value", show: false, scale: true},
      series: [{type: "line", data: points.map(p => p[1]), symbol: "none", lineStyle: {width: 1.5}}]});
    el.dataset.ready = "1";
  });

  const trend = document.getElementById("chart-trend");
  if (trend) {
    const rows = data("data-trend") || [];
    const series = ["value", "target", "expected"].map((k, i) => ({
      name: labels[k], type: "line", data: rows.map(r => r[k]), connectNulls: true,
      lineStyle: i ? {type: i === 1 ? "dashed" : "dotted"} : {width: 2}, symbol: i ? "none" : "circle"}));
    echarts.init(trend).setOption({animation: false,
      tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 60, right: 20, top: 30, bottom: 40},
      xAxis: {type: "category", data: rows.map(r => r.on)}, yAxis: {type: "value", scale: true}, series});
    trend.dataset.ready = "1";
  }
});
