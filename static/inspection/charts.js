// Charts of the inspection list, drawn from the JSON the view embeds.
(function () {
  const data = JSON.parse(document.getElementById("risk-chart-data").textContent);
  if (typeof Chart === "undefined") return;
  new Chart(document.getElementById("chart-distribution"), {
    type: "bar",
    data: { labels: data.distribution.labels, datasets: [{ label: "P", data: data.distribution.counts }] },
  });
  new Chart(document.getElementById("chart-captured"), {
    type: "line",
    data: {
      labels: data.captured.map((c) => c.rate + " %"),
      datasets: [{ label: "revenue", data: data.captured.map((c) => c.revenue) }],
    },
  });
  new Chart(document.getElementById("chart-precision"), {
    type: "line",
    data: { labels: data.precision.map((p) => p.month), datasets: [{ label: "precision", data: data.precision.map((p) => p.precision) }] },
  });
})();
