// traceability/tree.html: the province's tree for one parameter (ECharts tree series), outside the page for the CSP.
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("chart-tree");
  if (!el) return;
  const labels = document.getElementById("labels").dataset;
  const data = JSON.parse(document.getElementById("data-tree").textContent);
  const colours = {root: "#212529", external: "#6f42c1", national: "#6f42c1", provincial: "#0d6efd", city: "#198754",
                   county: "#fd7e14", instruments: "#6c757d", broken: "#dc3545", unlinked: "#adb5bd"};
  const paint = n => {
    n.itemStyle = {color: n.lapsing || n.expired ? "#ffc107" : colours[n.tier] || "#6c757d"};
    (n.children || []).forEach(paint);
  };
  paint(data);
  const tip = p => {
    const d = p.data, out = [d.name];
    if (d.calibrated_on) out.push(`${labels.calibrated} ${d.calibrated_on} (${d.certificate_no || ""})`);
    if (d.valid_until) out.push(`${labels.validUntil} ${d.valid_until}`);
    if (d.lapsing) out.push(labels.lapsing);
    return out.join("<br>");
  };
  echarts.init(el).setOption({
    tooltip: {trigger: "item", formatter: tip},
    series: [{type: "tree", data: [data], top: 20, left: 80, bottom: 20, right: 220, symbolSize: 9,
              initialTreeDepth: 4, expandAndCollapse: true, label: {position: "left", fontSize: 11},
              leaves: {label: {position: "right"}}, animationDuration: 300}]});
  el.dataset.ready = "1";
});
