// One bar chart per <canvas data-chart="ID">, drawn from the JSON in the element ID
// ({"label": ..., "labels": [...], "values": [...]}, labels already translated by the view).
(function () {
  if (typeof Chart === "undefined") return;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values }] },
      options: { indexAxis: canvas.dataset.horizontal ? "y" : "x", plugins: { legend: { display: false } } },
    });
  });
})();
