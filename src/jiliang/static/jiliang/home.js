// home.html: kept out of the page for the Content Security Policy (script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  const cat = JSON.parse(document.getElementById("data-category").textContent);
  const st = JSON.parse(document.getElementById("data-status").textContent);
  echarts.init(document.getElementById("chart-category")).setOption({
    grid: {left: 140, right: 20, top: 10, bottom: 20}, tooltip: {},
    xAxis: {type: "value"}, yAxis: {type: "category", data: cat.map(r => r["category__name"]).reverse()},
    series: [{type: "bar", data: cat.map(r => r.n).reverse()}]});
  echarts.init(document.getElementById("chart-status")).setOption({
    tooltip: {}, series: [{type: "pie", radius: ["40%", "70%"], data: st.map(([name, value]) => ({name, value}))}]});
});
