/* The demo page's "Discuter avec Causette" button opens the widget through its small API. */
document.getElementById("ask").addEventListener("click", function () {
  if (window.Causette && window.Causette.open) {
    window.Causette.open();
  }
});
