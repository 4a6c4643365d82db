/* Charts of the export results dashboard; the figures come from the page's json_script block. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var data = JSON.parse(document.getElementById("results-data").textContent);
  var root = document.documentElement;
  var rtl = root.dir === "rtl";
  var locale = root.lang || undefined;
  var css = getComputedStyle(root);
  function cssVar(name, fallback) { return css.getPropertyValue(name).trim() || fallback; }

  Chart.defaults.color = cssVar("--body-fg", "#333");
  Chart.defaults.borderColor = cssVar("--hairline-color", "#e8e8e8");
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.locale = locale;
  Chart.defaults.maintainAspectRatio = false;
  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) { Chart.defaults.animation = false; }
  Chart.defaults.plugins.legend.rtl = rtl;
  Chart.defaults.plugins.legend.textDirection = rtl ? "rtl" : "ltr";
  Chart.defaults.plugins.tooltip.rtl = rtl;
  Chart.defaults.plugins.tooltip.textDirection = rtl ? "rtl" : "ltr";

  var contractedColour = "#c7dbe6";
  var paidColour = "#417690";

  function empty(canvas) {
    var note = document.createElement("p");
    note.className = "dashboard-empty";
    note.textContent = "—";
    canvas.parentNode.replaceWith(note);
  }

  function valueChart(id, figures, horizontal) {
    var canvas = document.getElementById(id);
    if (!figures.labels.length) { empty(canvas); return; }
    if (horizontal) {
      canvas.parentNode.style.height = Math.max(200, 60 + 36 * figures.labels.length) + "px";
    }
    var valueAxis = {beginAtZero: true, reverse: horizontal && rtl};
    var labelAxis = horizontal ? {position: rtl ? "right" : "left"} : {reverse: rtl};
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: figures.labels,
        datasets: [
          {label: data.text.contracted, data: figures.contracted, backgroundColor: contractedColour},
          {label: data.text.paid, data: figures.paid, backgroundColor: paidColour}
        ]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        scales: horizontal ? {x: valueAxis, y: labelAxis} : {x: labelAxis, y: valueAxis},
        plugins: {legend: {position: "bottom"}}
      }
    });
  }

  valueChart("chart-countries", data.countries, true);
  valueChart("chart-months", data.months, false);

  var funnelCanvas = document.getElementById("chart-funnel");
  if (data.funnel.counts.some(function (n) { return n > 0; })) {
    new Chart(funnelCanvas, {
      type: "bar",
      data: {
        labels: data.funnel.labels,
        datasets: [{label: data.text.count, data: data.funnel.counts, backgroundColor: paidColour}]
      },
      options: {
        indexAxis: "y",
        scales: {
          x: {beginAtZero: true, reverse: rtl, ticks: {precision: 0}},
          y: {position: rtl ? "right" : "left"}
        },
        plugins: {legend: {display: false}}
      }
    });
  } else { empty(funnelCanvas); }
});
