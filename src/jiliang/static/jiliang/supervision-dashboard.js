// supervision/dashboard.html: kept out of the page for the Content Security Policy (script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  const labels = document.getElementById("labels").dataset;
  const mapEl = document.getElementById("chart-map");
  if (mapEl) {
    // 受检率 on time by city on the map of Jiangsu's 13 cities (GeoJSON from ECharts 4.9, static/vendor);
    // a bar chart if the map cannot be loaded.
    const cities = JSON.parse(document.getElementById("data-map").textContent);
    const chart = echarts.init(mapEl);
    const tip = p => (p.data && p.data.due)
      ? `${p.data.label}<br>${p.data.value} % (${p.data.met} / ${p.data.due})` : `${p.name}<br>${mapEl.dataset.noData}`;
    fetch(mapEl.dataset.map).then(r => { if (!r.ok) throw new Error(r.status); return r.json(); }).then(geo => {
      echarts.registerMap("jiangsu", geo);
      chart.setOption({
        tooltip: {trigger: "item", formatter: tip},
        visualMap: {min: 80, max: 100, left: 10, bottom: 10, text: ["100 %", "80 %"], calculable: true,
                    inRange: {color: ["#d73027", "#fee08b", "#1a9850"]}},
        series: [{type: "map", map: "jiangsu", roam: false, label: {show: true, fontSize: 10},
                  itemStyle: {areaColor: "#e9ecef"}, data: cities.map(c => ({...c}))}]});
      mapEl.dataset.ready = "map";
    }).catch(() => {
      chart.setOption({
        tooltip: {}, grid: {left: 50, right: 10, top: 10, bottom: 60},
        xAxis: {type: "category", data: cities.map(c => c.label), axisLabel: {rotate: 45}},
        yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value} %"}},
        series: [{type: "bar", data: cities.map(c => c.value)}]});
      mapEl.dataset.ready = "bar";
    });
  }
  const trend = JSON.parse(document.getElementById("data-trend").textContent);
  echarts.init(document.getElementById("chart-trend")).setOption({
    tooltip: {trigger: "axis", valueFormatter: v => v == null ? "—" : v + " %"}, legend: {top: 0},
    grid: {left: 50, right: 20, top: 30, bottom: 30},
    xAxis: {type: "category", data: trend.map(t => t.month)},
    yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value} %"}},
    series: [{name: labels.onTime, type: "line", data: trend.map(t => t.on_time)},
             {name: labels.pass, type: "line", data: trend.map(t => t.passed)}]});
});
