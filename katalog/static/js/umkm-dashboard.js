// Draws the UMKM dashboard's two charts from the JSON the page carries.
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var colours = ["#1b7a3a", "#0b5cad", "#c77700", "#6b7280"];
  var fmt = new Intl.NumberFormat("id-ID");
  new Chart(document.getElementById("by-district"), {
    type: "bar",
    data: {
      labels: data.districts,
      datasets: data.series.map(function (s, i) { return { label: s.label, data: s.data, backgroundColor: colours[i] }; })
    },
    options: { indexAxis: "y", maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: true, ticks: { callback: function (v) { return fmt.format(v); } } }, y: { stacked: true, ticks: { autoSkip: false } } } }
  });
  var changes = document.getElementById("changes");
  if (changes) {
    new Chart(changes, {
      type: "bar",
      data: { labels: data.months, datasets: [
        { label: changes.dataset.up || "Naik kelas", data: data.up, backgroundColor: "#1b7a3a" },
        { label: changes.dataset.down || "Turun kelas", data: data.down, backgroundColor: "#b42318" } ] },
      options: { maintainAspectRatio: false, animation: false }
    });
  }
})();
