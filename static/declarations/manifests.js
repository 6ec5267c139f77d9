// Polls the manifest's status every second and updates the progress bar until the
// manifest is finished; then reloads the page to show the errors or the results link.
(function () {
  "use strict";
  const section = document.getElementById("manifest-progress");
  if (!section || section.dataset.finished === "true") return;
  const field = (name) => section.querySelector(`[data-field="${name}"]`);
  const numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined);

  async function poll() {
    try {
      const response = await fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const status = await response.json();
      field("status_label").textContent = status.status_label;
      field("rows_done").textContent = numberFormat.format(status.rows_done);
      field("rows_total").textContent = numberFormat.format(status.rows_total);
      field("percent").value = status.percent;
      field("percent_text").textContent = status.percent;
      field("error_summary").textContent = status.error_summary;
      if (status.finished) {
        window.location.reload();
        return;
      }
    } catch (error) {
      // A failed poll (network, restart) is retried at the next tick.
    }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 1000);
})();
