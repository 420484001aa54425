// livelihood/_area_estimate.html: estimated errors of an area's meters with their 95 % intervals against ±MPE
// (kept out of the page for the Content Security Policy, script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("chart-area-errors");
  if (!el) return;
  const rows = JSON.parse(document.getElementById("data-area-errors").textContent);
  const mpe = JSON.parse(document.getElementById("data-area-mpe").textContent);
  const labels = el.dataset;
  const codes = rows.map(r => r.code);
  const colour = r => r.decision === "exceeds" ? "#d73027" : r.decision === "within" ? "#1a9850" : "#fc8d59";
  const bars = {
    name: labels.interval, type: "custom",
    renderItem: (params, api) => {
      const x = api.value(0), lo = api.coord([x, api.value(1)]), hi = api.coord([x, api.value(2)]);
      const w = api.size([1, 0])[0] * 0.3;
      const style = {stroke: api.visual("color"), lineWidth: 1.5};
      return {type: "group", children: [
        {type: "line", shape: {x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1]}, style},
        {type: "line", shape: {x1: lo[0] - w / 2, y1: lo[1], x2: lo[0] + w / 2, y2: lo[1]}, style},
        {type: "line", shape: {x1: hi[0] - w / 2, y1: hi[1], x2: hi[0] + w / 2, y2: hi[1]}, style}]};
    },
    encode: {x: 0, y: [1, 2]},
    data: rows.map((r, i) => ({value: [i, r.low, r.high], itemStyle: {color: colour(r)}})), z: 2,
  };
  const points = {
    name: labels.error, type: "scatter", symbolSize: 7, z: 3,
    data: rows.map((r, i) => ({value: [i, r.error], itemStyle: {color: colour(r)}})),
    markArea: mpe == null ? undefined : {silent: true, itemStyle: {color: "rgba(26,152,80,0.08)"},
      data: [[{yAxis: -mpe, name: `${labels.mpe} ±${mpe} %`}, {yAxis: mpe}]]},
    markLine: mpe == null ? undefined : {silent: true, symbol: "none", lineStyle: {color: "#1a9850", type: "dashed"},
      data: [{yAxis: mpe}, {yAxis: -mpe}], label: {formatter: "{c} %"}},
  };
  echarts.init(el).setOption({
    tooltip: {trigger: "item", formatter: p => {
      const r = rows[p.value[0]];
      return `${r.code}<br>${labels.error}: ${r.error.toFixed(2)} %<br>${labels.interval}: ${r.low.toFixed(2)} … ${r.high.toFixed(2)} %`;
    }},
    grid: {left: 50, right: 45, top: 20, bottom: rows.length > 100 ? 95 : 75},
    xAxis: {type: "category", data: codes, axisLabel: {rotate: 60, fontSize: 9}},
    yAxis: {type: "value", axisLabel: {formatter: "{value} %"}},
    dataZoom: rows.length > 100 ? [{type: "slider", bottom: 0, height: 14}] : [],
    series: [bars, points],
  });
  el.dataset.ready = "1";
});
