// dashboard.html: kept out of the page for the Content Security Policy (script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  const city = JSON.parse(document.getElementById("data-city").textContent);
  const top = JSON.parse(document.getElementById("data-top").textContent);
  const daily = JSON.parse(document.getElementById("data-daily").textContent);
  // Online rate by city on the map of Jiangsu's 13 cities (GeoJSON from ECharts 4.9, static/vendor); a bar chart
  // if the map cannot be loaded.
  const cityEl = document.getElementById("chart-city");
  const cityChart = echarts.init(cityEl);
  const pct = c => Math.round(c.rate * 1000) / 10;
  // A city without key enterprises in the user's scope has no data: its tooltip says so instead of "undefined %".
  const cityTip = p => (p.data && p.data.enterprises)
    ? `${p.name}<br>${p.data.value} % (${p.data.online} / ${p.data.enterprises})`
    : `${p.name}<br>${cityEl.dataset.noData}`;
  fetch(cityEl.dataset.map).then(r => { if (!r.ok) throw new Error(r.status); return r.json(); }).then(geo => {
    echarts.registerMap("jiangsu", geo);
    cityChart.setOption({
      tooltip: {trigger: "item", formatter: cityTip},
      visualMap: {min: 0, max: 100, left: 10, bottom: 10, text: ["100 %", "0 %"], calculable: true,
                  inRange: {color: ["#d73027", "#fee08b", "#1a9850"]}},
      series: [{type: "map", map: "jiangsu", roam: false, label: {show: true, fontSize: 10},
                itemStyle: {areaColor: "#e9ecef"},
                data: city.map(c => ({name: c.name, value: pct(c), online: c.online, enterprises: c.enterprises}))}]});
    cityEl.dataset.ready = "map";
  }).catch(() => {
    cityChart.setOption({
      tooltip: {}, grid: {left: 50, right: 10, top: 10, bottom: 60},
      xAxis: {type: "category", data: city.map(c => c.name), axisLabel: {rotate: 45}},
      yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value} %"}},
      series: [{type: "bar", data: city.map(pct)}]});
    cityEl.dataset.ready = "bar";
  });
  echarts.init(document.getElementById("chart-top")).setOption({
    tooltip: {}, grid: {left: 10, right: 20, top: 10, bottom: 20, containLabel: true},
    xAxis: {type: "value"}, yAxis: {type: "category", data: top.map(t => t.name).reverse(), axisLabel: {width: 240, overflow: "truncate"}},
    series: [{type: "bar", data: top.map(t => t.tce).reverse()}]});
  echarts.init(document.getElementById("chart-daily")).setOption({
    tooltip: {trigger: "axis"}, grid: {left: 60, right: 20, top: 10, bottom: 30},
    xAxis: {type: "category", data: daily.map(d => d.day)}, yAxis: {type: "value", name: "tce"},
    series: [{type: "line", data: daily.map(d => d.tce), areaStyle: {}}]});
  const history = JSON.parse(document.getElementById("data-history").textContent);
  const historyChart = document.getElementById("chart-history");
  if (historyChart) {
    echarts.init(historyChart).setOption({
      tooltip: {trigger: "axis", valueFormatter: v => v == null ? "—" : v + " %"},
      legend: {type: "scroll", top: 0, selected: Object.fromEntries(history.series.map(s => [s.name, s.total]))},
      grid: {left: 50, right: 20, top: 40, bottom: 60},
      dataZoom: [{type: "inside"}, {type: "slider", height: 18, bottom: 8}],
      xAxis: {type: "category", data: history.times, boundaryGap: false},
      yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value} %"}},
      series: history.series.map(s => ({name: s.name, type: "line", data: s.data, showSymbol: false,
                                         lineStyle: {width: s.total ? 3 : 1.5}}))});
  }
});
