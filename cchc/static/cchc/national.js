// Trend charts of the national indices for one province: the score and the rank (rank 1 on
// top). Data from the page (json_script); nothing remote.
(function () {
  const node = document.getElementById("national-series");
  if (!node || typeof Chart === "undefined") return;
  for (const s of JSON.parse(node.textContent)) {
    const canvas = document.getElementById("chart-" + s.code);
    if (!canvas) continue;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: s.years,
        datasets: [
          { label: "Điểm / chỉ số", data: s.scores, yAxisID: "y", spanGaps: true },
          { label: "Xếp hạng", data: s.ranks, yAxisID: "rank", borderDash: [4, 4], spanGaps: true },
        ],
      },
      options: {
        scales: {
          y: { position: "left" },
          rank: { position: "right", reverse: true, min: 1, grid: { drawOnChartArea: false } },
        },
      },
    });
  }
})();
