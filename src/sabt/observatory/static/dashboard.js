// Draws the observatory's charts from the JSON the page carries. A static file, loaded with
// the page's nonce: the Content-Security-Policy admits no inline script.
(function () {
  "use strict";
  var source = document.getElementById("charts-data");
  if (!source || typeof Plotly === "undefined") {
    return;
  }
  var charts = JSON.parse(source.textContent);
  function draw() {
    Object.keys(charts).forEach(function (id) {
      var target = document.getElementById(id);
      if (target) {
        Plotly.newPlot(target, charts[id].data, charts[id].layout,
                       {displayModeBar: false, responsive: true});
      }
    });
  }
  // Plotly measures its labels when it draws, to make room for them: drawn before the
  // page's font has loaded, the margins fit the fallback font's narrower digits and the
  // labels then overlap the axis titles and spill past the chart.
  if (document.fonts && document.fonts.load) {
    document.fonts.load("14px ObservatoryNaskh").then(draw, draw);
  } else {
    draw();
  }
})();
