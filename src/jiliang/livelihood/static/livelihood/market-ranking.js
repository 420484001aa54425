// The column-10 chart of the markets' ranking page: verification rate on time and pass rate by region, with the
// plan's targets (100 %, 95 %) as lines. Data from the page's json_script; labels from #labels-column10.
(function () {
  "use strict";
  const el = document.getElementById("chart-column10");
  const data = document.getElementById("data-column10");
  if (!el || !data || typeof echarts === "undefined") return;
  const d = JSON.parse(data.textContent);
  const l = document.getElementById("labels-column10").dataset;
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [l.onTime, l.pass] },
    grid: { left: 40, right: 10, bottom: 60 },
    xAxis: { type: "category", data: d.labels, axisLabel: { rotate: 30 } },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
    series: [
      { name: l.onTime, type: "bar", data: d.on_time,
        markLine: { symbol: "none", data: [{ yAxis: d.targets[0], name: l.targetOnTime }], label: { formatter: l.targetOnTime } } },
      { name: l.pass, type: "bar", data: d.passed,
        markLine: { symbol: "none", data: [{ yAxis: d.targets[1], name: l.targetPass }], label: { formatter: l.targetPass } } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
