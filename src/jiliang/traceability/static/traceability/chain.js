// traceability/_chain.html: the chain drawn as a tree, the item at the bottom and the roots on top (kept out of the
// page for the Content Security Policy, script-src 'self'). Green: the link holds; red: the chain breaks there.
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("chart-trace-chain");
  if (!el || typeof echarts === "undefined") return;
  const data = JSON.parse(document.getElementById("data-trace-chain").textContent);
  const paint = node => {
    node.itemStyle = {color: node.ok ? "#198754" : "#dc3545", borderColor: node.root ? "#0d6efd" : undefined,
                      borderWidth: node.root ? 3 : 1};
    node.label = {formatter: (node.number ? node.number + ". " : "") + node.name};
    (node.children || []).forEach(paint);
    return node;
  };
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "item", formatter: p => `${p.data.name}<br>${p.data.detail || ""}<br>` +
      (p.data.ok ? el.dataset.ok : el.dataset.broken)},
    series: [{type: "tree", data: [paint(data)], orient: "BT", top: 40, bottom: 40, left: 20, right: 20,
              symbolSize: 14, initialTreeDepth: -1, expandAndCollapse: false,
              label: {position: "right", fontSize: 12}, leaves: {label: {position: "right"}}}]});
  el.dataset.ready = "1";
});
