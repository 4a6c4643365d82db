/* Charts of the programme dashboard; the figures come from the page's json_script block. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var root = document.documentElement;
  var rtl = root.dir === "rtl";
  var locale = root.lang || undefined;
  var css = getComputedStyle(root);
  function cssVar(name, fallback) { return css.getPropertyValue(name).trim() || fallback; }
  var numbers = new Intl.NumberFormat(locale, {maximumFractionDigits: 2});

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

  var statusColours = {
    draft: "#9e9e9e", submitted: "#5c9ccf", screening: "#7fb7e0", under_review: "#417690",
    revision_requested: "#e0a030", approved: "#3c9a5f", rejected: "#ba2121", paid: "#2e7d4f",
    closed: "#6d8f7a", withdrawn: "#b0a080"
  };
  var usedColour = "#417690";
  var remainingColour = "#c7dbe6";

  function empty(canvas) {
    var note = document.createElement("p");
    note.className = "dashboard-empty";
    note.textContent = "—";
    canvas.parentNode.replaceWith(note);
  }

  var statusCanvas = document.getElementById("chart-status");
  if (data.status.counts.length) {
    new Chart(statusCanvas, {
      type: "doughnut",
      data: {
        labels: data.status.labels,
        datasets: [{
          label: data.text.applications,
          data: data.status.counts,
          backgroundColor: data.status.keys.map(function (key) { return statusColours[key] || "#888"; })
        }]
      },
      options: {plugins: {legend: {position: "bottom"}}}
    });
  } else { empty(statusCanvas); }

  var budgetCanvas = document.getElementById("chart-budget");
  var budget = data.budget;
  if (budget.labels.length) {
    budgetCanvas.parentNode.style.height = Math.max(200, 60 + 40 * budget.labels.length) + "px";
    var usedPercent = budget.used_percent.map(function (p) { return Math.min(Math.max(p, 0), 100); });
    var amounts = [budget.used, budget.remaining];
    new Chart(budgetCanvas, {
      type: "bar",
      data: {
        labels: budget.labels,
        datasets: [
          {label: data.text.used, data: usedPercent, backgroundColor: usedColour},
          {label: data.text.remaining, data: usedPercent.map(function (p) { return 100 - p; }), backgroundColor: remainingColour}
        ]
      },
      options: {
        indexAxis: "y",
        scales: {
          x: {stacked: true, min: 0, max: 100, reverse: rtl, title: {display: true, text: data.text.percent}},
          y: {stacked: true, position: rtl ? "right" : "left"}
        },
        plugins: {
          legend: {position: "bottom"},
          tooltip: {callbacks: {label: function (ctx) {
            var amount = amounts[ctx.datasetIndex][ctx.dataIndex];
            return ctx.dataset.label + ": " + numbers.format(amount) + " " + budget.currencies[ctx.dataIndex] +
              " (" + numbers.format(ctx.parsed.x) + "%)";
          }}}
        }
      }
    });
  } else { empty(budgetCanvas); }

  var countryCanvas = document.getElementById("chart-countries");
  var countries = data.countries;
  if (countries.labels.length) {
    countryCanvas.parentNode.style.height = Math.max(200, 40 + 28 * countries.labels.length) + "px";
    new Chart(countryCanvas, {
      type: "bar",
      data: {
        labels: countries.labels,
        datasets: [{label: data.text.applications, data: countries.counts, backgroundColor: usedColour}]
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
  } else { empty(countryCanvas); }
});
