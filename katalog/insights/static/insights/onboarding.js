// Draws the onboarding page's weekly chart from the JSON the page carries. Readable at 360 px:
// week labels shortened to "W48", legend below, no rotation games.
(function () {
  var canvas = document.getElementById("onboarding-weeks");
  if (!canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(document.getElementById("onboarding-chart").textContent);
  var colours = ["#6b7280", "#0b5cad", "#c77700", "#1b7a3a"];
  var fmt = new Intl.NumberFormat(document.documentElement.lang || "id-ID");
  var narrow = window.matchMedia("(max-width: 520px)").matches;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.weeks.map(function (w) { return narrow ? w.slice(5) : w; }),
      datasets: data.series.map(function (s, i) { return { label: s.label, data: s.data, backgroundColor: colours[i] }; })
    },
    options: {
      maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12, font: { size: narrow ? 11 : 12 } } } },
      scales: {
        x: { ticks: { autoSkip: true, maxRotation: 0, font: { size: narrow ? 10 : 12 } } },
        y: { beginAtZero: true, ticks: { precision: 0, callback: function (v) { return fmt.format(v); } } }
      }
    }
  });
})();
