// traceability/coverage.html: kept out of the page for the Content Security Policy (script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("chart-domains");
  if (!el) return;
  const labels = document.getElementById("labels").dataset;
  const rows = JSON.parse(document.getElementById("data-domains").textContent);
  const target = labels.target ? Number(labels.target) : null;
  echarts.init(el).setOption({
    tooltip: {trigger: "axis", valueFormatter: v => v == null ? "—" : v + " %"},
    grid: {left: 50, right: 20, top: 20, bottom: 70},
    xAxis: {type: "category", data: rows.map(r => r.label), axisLabel: {rotate: 30}},
    yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value} %"}},
    series: [{name: labels.coverage, type: "bar", data: rows.map(r => r.rate),
              markLine: target == null ? undefined : {symbol: "none", label: {formatter: labels.targetLabel + " {c} %"},
                                                      data: [{yAxis: target}]}}]});
  el.dataset.ready = "1";
});
