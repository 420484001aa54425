// supervision/campaigns/detail.html: the nonconformity rate by county with its 95 % Wilson interval (kept out of the
// page for the Content Security Policy, script-src 'self'). A county with nothing checked has no bar ("—").
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("chart-results");
  if (!el) return;
  const rows = JSON.parse(document.getElementById("data-results").textContent);
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis", formatter: ps => {
      const r = rows[ps[0].dataIndex];
      return r.rate == null ? `${r.label}<br>—`
        : `${r.label}<br>${r.rate} % (${r.k} / ${r.n})<br>${el.dataset.interval}: ${r.low} – ${r.high} %`;
    }},
    grid: {left: 50, right: 10, top: 20, bottom: 60},
    xAxis: {type: "category", data: rows.map(r => r.label), axisLabel: {rotate: 30}},
    yAxis: {type: "value", min: 0, max: v => Math.min(100, Math.ceil(v.max / 10) * 10), axisLabel: {formatter: "{value} %"}},
    series: [
      {name: el.dataset.rate, type: "bar", data: rows.map(r => r.rate)},
      // encode: the axis spans the intervals' ends too, so no whisker runs off the chart
      {name: el.dataset.interval, type: "custom", data: rows.map((r, i) => [i, r.low, r.high]), encode: {x: 0, y: [1, 2]},
       renderItem: (params, api) => {
         if (api.value(1) == null || isNaN(api.value(1))) return null;
         const low = api.coord([api.value(0), api.value(1)]), high = api.coord([api.value(0), api.value(2)]);
         const w = api.size([1, 0])[0] * 0.15;
         const style = {stroke: "#333", lineWidth: 1.5};
         return {type: "group", children: [
           {type: "line", shape: {x1: low[0], y1: low[1], x2: high[0], y2: high[1]}, style},
           {type: "line", shape: {x1: low[0] - w, y1: low[1], x2: low[0] + w, y2: low[1]}, style},
           {type: "line", shape: {x1: high[0] - w, y1: high[1], x2: high[0] + w, y2: high[1]}, style}]};
       }, z: 10}]});
  el.dataset.ready = "1";
});
