// One bar chart per <canvas data-chart="ID">, drawn from the JSON in the element ID
// ({"label": ..., "labels": [...], "values": [...]}, labels already translated by the view).
(function () {
  if (typeof Chart === "undefined") return;
  // Readers who ask for less motion get the charts drawn at once.
  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    const horizontal = Boolean(canvas.dataset.horizontal);
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values }] },
      options: {
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: false } },
        // Counts of declarations are whole numbers.
        scales: horizontal ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
})();
