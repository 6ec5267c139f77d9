// The officers' payments page: the stacked bar chart of daily totals by method, drawn
// from the JSON in #daily-totals-data ({"labels": [...], "series": {method: [...]},
// "names": {method: label}}, labels already translated by the view).
document.addEventListener("DOMContentLoaded", function () {
  const source = document.getElementById("daily-totals-data");
  if (!source || typeof Chart === "undefined") return;
  // Readers who ask for less motion get the chart drawn at once.
  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;
  const data = JSON.parse(source.textContent);
  const datasets = Object.entries(data.series).map(([method, values]) => ({ label: data.names[method] || method, data: values }));
  new Chart(document.getElementById("daily-totals"), {
    type: "bar",
    data: { labels: data.labels, datasets: datasets },
    options: { scales: { x: { stacked: true }, y: { stacked: true } } },
  });
});
