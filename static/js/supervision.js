// Supervision workbench: the print buttons of the print views (no inline script: CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".gj-print").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
