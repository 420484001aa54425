// livelihood/iot/status.html: kept out of the page for the Content Security Policy (script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("chart-iot");
  if (!el) return;
  const data = JSON.parse(document.getElementById("data-iot").textContent);
  const labels = document.getElementById("iot-labels").dataset;
  // Meters per utility: reporting, silent and without a point, stacked; past-life reporting beside them.
  echarts.init(el).setOption({
    tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 50, right: 10, top: 30, bottom: 70},
    xAxis: {type: "category", data: data.utilities, axisLabel: {rotate: 30, fontSize: 10}},
    yAxis: {type: "value"},
    series: [
      {name: labels.reporting, type: "bar", stack: "m", data: data.reporting, itemStyle: {color: "#198754"}},
      {name: labels.silent, type: "bar", stack: "m", data: data.silent, itemStyle: {color: "#dc3545"}},
      {name: labels.noPoint, type: "bar", stack: "m", data: data.no_point, itemStyle: {color: "#adb5bd"}},
      {name: labels.pastLife, type: "bar", data: data.past_life, itemStyle: {color: "#fd7e14"}}]});
  el.dataset.ready = "1";
  const alarms = document.getElementById("chart-alarms");
  echarts.init(alarms).setOption({
    tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 50, right: 10, top: 30, bottom: 70},
    xAxis: {type: "category", data: data.utilities, axisLabel: {rotate: 30, fontSize: 10}},
    yAxis: {type: "value", minInterval: 1},
    series: data.alarms.map(a => ({name: a.label, type: "bar", stack: "a", data: a.values}))});
  alarms.dataset.ready = "1";
});
