// Draws the spending page's monthly chart from the JSON the page carries: spending per month,
// stacked UMK / other vendors, and the UMK share since January as a line against the 40% target.
// Readable at 360 px: months shortened to "01".."12", legend below, no rotated labels.
(function () {
  var canvas = document.getElementById("spending-months");
  if (!canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(document.getElementById("spending-chart").textContent);
  var fmt = new Intl.NumberFormat(document.documentElement.lang || "id-ID", { notation: "compact" });
  var narrow = window.matchMedia("(max-width: 520px)").matches;
  new Chart(canvas, {
    data: {
      labels: data.months.map(function (m) { return narrow ? m.slice(5) : m; }),
      datasets: [
        { type: "bar", label: data.labels.umk, data: data.umk, backgroundColor: "#1b7a3a", stack: "s", yAxisID: "y" },
        { type: "bar", label: data.labels.other, data: data.other, backgroundColor: "#9aa5b1", stack: "s", yAxisID: "y" },
        { type: "line", label: data.labels.share, data: data.shares, borderColor: "#0b5cad", backgroundColor: "#0b5cad", yAxisID: "pct" },
        { type: "line", label: data.labels.target, data: data.months.map(function () { return data.target; }),
          borderColor: "#111", borderDash: [6, 4], pointRadius: 0, yAxisID: "pct" }
      ]
    },
    options: {
      maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12, font: { size: narrow ? 10 : 12 } } } },
      scales: {
        x: { stacked: true, ticks: { autoSkip: true, maxRotation: 0, font: { size: narrow ? 10 : 12 } } },
        y: { stacked: true, beginAtZero: true, ticks: { callback: function (v) { return fmt.format(v); } } },
        pct: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
               ticks: { callback: function (v) { return v + "%"; } } }
      }
    }
  });
})();
