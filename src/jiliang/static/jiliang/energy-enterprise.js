// enterprise.html: kept out of the page for the Content Security Policy (script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  const rows = JSON.parse(document.getElementById("data-daily").textContent);
  const days = [...new Set(rows.map(r => r.day))];
  const types = [...new Set(rows.map(r => r.type + " (" + r.unit + ")"))];
  const series = (key, stack) => types.map(t => ({name: t, type: "bar", stack: stack,
    data: days.map(d => { const r = rows.find(x => x.day === d && x.type + " (" + x.unit + ")" === t); return r ? r[key] : 0; })}));
  echarts.init(document.getElementById("chart-daily")).setOption({tooltip: {trigger: "axis"}, legend: {},
    xAxis: {type: "category", data: days}, yAxis: {type: "value", name: "tce"}, series: series("tce", "tce")});
  echarts.init(document.getElementById("chart-native")).setOption({tooltip: {trigger: "axis"}, legend: {},
    xAxis: {type: "category", data: days}, yAxis: {type: "value"}, series: series("value", null)});
});
