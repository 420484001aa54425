// home.html: kept out of the page for the Content Security Policy (script-src 'self'). Every element with
// data-chart draws the [name, value] pairs of the JSON script named by its data-source; panels without data
// render their "No data" text on the server and no chart element.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-chart]").forEach((el) => {
    const rows = JSON.parse(document.getElementById(el.dataset.source).textContent);
    const option = el.dataset.chart === "pie"
      ? {tooltip: {}, series: [{type: "pie", radius: ["40%", "70%"], data: rows.map(([name, value]) => ({name, value}))}]}
      : {grid: {left: 140, right: 20, top: 10, bottom: 20}, tooltip: {}, xAxis: {type: "value", minInterval: 1},
         yAxis: {type: "category", data: rows.map(([name]) => name).reverse()},
         series: [{type: "bar", data: rows.map(([, value]) => value).reverse()}]};
    echarts.init(el).setOption(option);
  });
});
