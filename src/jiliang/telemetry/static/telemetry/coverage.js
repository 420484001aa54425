// KPI 9 coverage over the last 12 months (telemetry/coverage.html).
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("chart-coverage");
  const data = document.getElementById("data-coverage-trend");
  if (!el || !data) return;
  const trend = JSON.parse(data.textContent);
  echarts.init(el).setOption({
    tooltip: {trigger: "axis", valueFormatter: v => v == null ? "—" : v + " %"},
    grid: {left: 50, right: 20, top: 20, bottom: 30},
    xAxis: {type: "category", data: trend.months},
    yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value} %"}},
    series: [{type: "bar", data: trend.rates, itemStyle: {color: "#0d6efd"}}],
  });
  el.dataset.ready = "1";
});
