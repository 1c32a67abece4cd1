// Charts of the leader dashboard; the data comes from the page (json_script), nothing remote.
(function () {
  const node = document.getElementById("series");
  if (!node || typeof Chart === "undefined") return;
  const series = JSON.parse(node.textContent);
  const labels = series.map((m) => m.label);
  new Chart(document.getElementById("volume"), {
    type: "bar",
    data: {
      labels,
      datasets: [
        { label: "Tiếp nhận mới", data: series.map((m) => m.received) },
        { label: "Đã giải quyết", data: series.map((m) => m.settled) },
      ],
    },
  });
  new Chart(document.getElementById("ontime"), {
    type: "line",
    data: { labels, datasets: [{ label: "Đúng hạn (%)", data: series.map((m) => m.on_time) }] },
    options: { scales: { y: { min: 0, max: 100 } } },
  });
})();
