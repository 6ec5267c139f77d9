// Draws the export chart from the JSON the page embeds (labels and one dataset per company).
(function () {
  "use strict";
  var source = document.getElementById("export-chart-data");
  var canvas = document.getElementById("export-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: data,
    options: {
      responsive: true,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
})();
