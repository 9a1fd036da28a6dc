/* Draws every <canvas data-chart="ID"> of the page as a horizontal bar chart from the JSON in #ID
   (portal.charts.Chart.data). One series, values written at the bars' ends, so it reads without colour.
   Clicking a bar opens the list behind it. Chart.js comes from npm (scripts/setup.sh), never a CDN.
   window.PortalCharts.drawAll() draws the canvases inserted later (summary.js); a drawn canvas is skipped. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var BAR = 28; // px per bar

  var valueLabels = {
    id: "valueLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      var displays = chart.options.plugins.valueLabels.displays || [];
      ctx.save();
      ctx.fillStyle = "#242424";
      ctx.font = "12px " + getComputedStyle(document.body).fontFamily;
      ctx.textBaseline = "middle";
      chart.getDatasetMeta(0).data.forEach(function (bar, i) {
        ctx.fillText(displays[i] || "", bar.x + 6, bar.y);
      });
      ctx.restore();
    }
  };

  function draw(canvas) {
    if (canvas.getAttribute("data-chart-drawn") === "true") { return; }
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var box = canvas.parentElement;
    box.style.height = (data.labels.length * BAR + 40) + "px";
    var max = Math.max.apply(null, data.values.concat([0]));
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: data.valueLabel,
          data: data.values,
          backgroundColor: "#0f6cbd",
          borderColor: "#0c3b5e",
          borderWidth: 1,
          maxBarThickness: 20
        }]
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { right: 90 } },
        scales: {
          x: { beginAtZero: true, suggestedMax: max * 1.05, title: { display: true, text: data.valueLabel } },
          y: { ticks: { autoSkip: false } }
        },
        plugins: {
          legend: { display: false },
          valueLabels: { displays: data.displays },
          tooltip: { callbacks: { label: function (item) { return data.displays[item.dataIndex]; } } }
        },
        onClick: function (event, elements) {
          if (elements.length && data.urls[elements[0].index]) {
            window.location.href = data.urls[elements[0].index];
          }
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length && data.urls[elements[0].index] ? "pointer" : "default";
        }
      },
      plugins: [valueLabels]
    });
    canvas.setAttribute("data-chart-drawn", "true");
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  }
  window.PortalCharts = { drawAll: drawAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
