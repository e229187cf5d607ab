// The dashboard's charts (Chart.js, vendored): each reads its figures from a <script type="application/json">
// element the page renders with json_script; the table below each chart holds the same numbers.
(function () {
  "use strict";
  var MAX_TICK = 36;
  var PALETTE = ["#1f5f8b", "#d1773b", "#3c8d5a", "#8a5fa8", "#b8434b", "#6b7f2a", "#2f8f9d", "#9b6b3a"];

  function draw(container) {
    var source = document.getElementById(container.dataset.chart);
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var figure = JSON.parse(source.textContent);
    var locale = document.documentElement.lang || undefined;
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", figure.title);
    container.appendChild(canvas);
    var datasets = figure.datasets.map(function (dataset, index) {
      var colour = PALETTE[index % PALETTE.length];
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: colour,
        borderColor: colour,
        fill: false,
        tension: 0,
      };
    });
    var valueAxis = { beginAtZero: true, stacked: figure.stacked, ticks: { precision: 0 } };
    // Long names (NACE sections, trips) are shortened on the axis; the tooltip and the table keep them whole.
    var labelAxis = {
      stacked: figure.stacked,
      ticks: {
        callback: function (value) {
          var label = String(this.getLabelForValue(value));
          return label.length > MAX_TICK ? label.slice(0, MAX_TICK - 1) + "…" : label;
        },
      },
    };
    var x = figure.horizontal ? valueAxis : labelAxis;
    var y = figure.horizontal ? labelAxis : valueAxis;
    x.title = { display: Boolean(figure.x_title), text: figure.x_title };
    y.title = { display: Boolean(figure.y_title), text: figure.y_title };
    new window.Chart(canvas, {
      type: figure.type,
      data: { labels: figure.labels, datasets: datasets },
      options: {
        locale: locale,
        indexAxis: figure.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: x, y: y },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
      },
    });
  }

  function start() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
