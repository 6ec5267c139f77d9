// Charts of the inspection list, drawn from the JSON the view embeds with json_script
// (parsed once: the view passes the data itself, not a JSON string). Labels come
// translated from the view.
(function () {
  if (typeof Chart === "undefined") return;
  // Readers who ask for less motion get the charts drawn at once.
  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;
  const data = JSON.parse(document.getElementById("risk-chart-data").textContent);
  new Chart(document.getElementById("chart-distribution"), {
    type: "bar",
    data: { labels: data.distribution.labels, datasets: [{ label: data.distribution.label, data: data.distribution.counts }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  new Chart(document.getElementById("chart-captured"), {
    type: "line",
    data: {
      labels: data.captured.map((c) => c.rate + " %"),
      datasets: [{ label: data.captured_label, data: data.captured.map((c) => c.revenue) }],
    },
    options: { scales: { y: { min: 0, max: 1 } } },
  });
  new Chart(document.getElementById("chart-precision"), {
    type: "line",
    data: {
      labels: data.precision.map((p) => p.month),
      datasets: [{ label: data.precision_label, data: data.precision.map((p) => p.precision) }],
    },
    options: { scales: { y: { min: 0, max: 1 } } },
  });
})();
