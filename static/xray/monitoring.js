// The monitoring page's chart, drawn from the JSON the view embeds with json_script
// (labels already translated by the view). Control-sample lines are dashed.
(function () {
  if (typeof Chart === "undefined") return;
  // Readers who ask for less motion get the chart drawn at once.
  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;
  const canvas = document.getElementById("chart-monitoring");
  if (!canvas) return;
  const data = JSON.parse(document.getElementById(canvas.dataset.chartSource).textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: data.datasets.map(function (set) {
        return { label: set.label, data: set.data, spanGaps: false, borderDash: set.sample === "control" ? [6, 4] : [] };
      }),
    },
    options: {
      scales: { y: { min: 0, max: 1, title: { display: true, text: data.y_label } } },
    },
  });
})();
