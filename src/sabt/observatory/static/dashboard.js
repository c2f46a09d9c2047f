// Draws the observatory's charts from the JSON the page carries. A static file, loaded with
// the page's nonce: the Content-Security-Policy admits no inline script.
(function () {
  "use strict";
  var source = document.getElementById("charts-data");
  if (!source || typeof Plotly === "undefined") {
    return;
  }
  var charts = JSON.parse(source.textContent);
  Object.keys(charts).forEach(function (id) {
    var target = document.getElementById(id);
    if (target) {
      Plotly.newPlot(target, charts[id].data, charts[id].layout,
                     {displayModeBar: false, responsive: true});
    }
  });
})();
