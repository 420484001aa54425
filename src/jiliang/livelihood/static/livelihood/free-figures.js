// livelihood/free/figures.html: kept out of the page for the Content Security Policy (script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("chart-free");
  if (!el || typeof echarts === "undefined") return;
  const data = JSON.parse(document.getElementById("data-free").textContent);
  const labels = el.dataset;
  echarts.init(el).setOption({
    tooltip: {trigger: "axis"}, legend: {top: 0},
    grid: {left: 50, right: 50, top: 30, bottom: 80},
    xAxis: {type: "category", data: data.labels, axisLabel: {rotate: 45, fontSize: 10}},
    yAxis: [{type: "value", name: labels.count}, {type: "value", max: 100, axisLabel: {formatter: "{value} %"}}],
    series: [{name: labels.count, type: "bar", data: data.counts},
             {name: labels.pass, type: "line", yAxisIndex: 1, data: data.pass},
             {name: labels.verification, type: "line", yAxisIndex: 1, data: data.verification}]});
  el.dataset.ready = "1";
});
