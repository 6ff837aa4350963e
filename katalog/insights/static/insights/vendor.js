// Draws the vendor dashboard's monthly chart from the JSON the page carries: sales committed and
// the part paid, per month. Readable at 360 px: months shortened to "01".."12", legend below.
(function () {
  var canvas = document.getElementById("vendor-months");
  if (!canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(document.getElementById("vendor-chart").textContent);
  var fmt = new Intl.NumberFormat(document.documentElement.lang || "id-ID", { notation: "compact" });
  var narrow = window.matchMedia("(max-width: 520px)").matches;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.months.map(function (m) { return narrow ? m.slice(5) : m; }),
      datasets: [
        { label: data.labels.total, data: data.totals, backgroundColor: "#1b7a3a" },
        { label: data.labels.realised, data: data.realised, backgroundColor: "#0b5cad" }
      ]
    },
    options: {
      maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12, font: { size: narrow ? 10 : 12 } } } },
      scales: {
        x: { ticks: { autoSkip: true, maxRotation: 0, font: { size: narrow ? 10 : 12 } } },
        y: { beginAtZero: true, ticks: { callback: function (v) { return fmt.format(v); } } }
      }
    }
  });
})();
