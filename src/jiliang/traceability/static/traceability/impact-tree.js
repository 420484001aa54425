// traceability/impact_detail.html: the affected tree of a reverse-traceability case (the source, the standards it
// reached, and under each the count of instruments), drawn with ECharts; kept out of the page for the CSP.
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("impact-tree");
  if (!el) return;
  const data = JSON.parse(document.getElementById("data-tree").textContent);
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "item", triggerOn: "mousemove"},
    series: [{type: "tree", data: [data], top: "5%", left: "12%", bottom: "5%", right: "22%", symbolSize: 9,
              initialTreeDepth: 3, expandAndCollapse: true, animationDuration: 300,
              label: {position: "left", verticalAlign: "middle", align: "right", fontSize: 12},
              leaves: {label: {position: "right", verticalAlign: "middle", align: "left"}}}]});
  window.addEventListener("resize", () => chart.resize());
});
