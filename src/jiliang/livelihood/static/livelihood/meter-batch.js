// The batch page's histogram of first-verification errors, one series per test flow (ECharts).
(function () {
  "use strict";
  var el = document.getElementById("batch-histogram");
  var data = document.getElementById("data-histograms");
  if (!el || !data || typeof echarts === "undefined") { return; }
  var histograms = JSON.parse(data.textContent);
  var flows = Object.keys(histograms);
  var chart = echarts.init(el);
  var first = flows.length ? histograms[flows[0]] : {labels: [], counts: []};
  function option(flow) {
    var h = histograms[flow];
    return {
      title: {text: flow + " · " + el.dataset.title, textStyle: {fontSize: 13}},
      tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: h.labels, name: el.dataset.title, nameLocation: "middle", nameGap: 28},
      yAxis: {type: "value", name: el.dataset.count, minInterval: 1},
      series: [{type: "bar", data: h.counts, barCategoryGap: "5%"}]
    };
  }
  if (flows.length) { chart.setOption(option(flows[0])); }
  var bar = document.createElement("div");
  bar.className = "btn-group btn-group-sm mt-2";
  flows.forEach(function (flow) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "btn btn-outline-secondary"; b.textContent = flow;
    b.addEventListener("click", function () { chart.setOption(option(flow), true); });
    bar.appendChild(b);
  });
  el.parentNode.appendChild(bar);
  window.addEventListener("resize", function () { chart.resize(); });
  void first;
})();
