// Polls the manifest's status every second and updates the progress bar (validation,
// import, then screening of the parcels) until the manifest is finished; then reloads
// the page to show the errors, the lanes or the results link.
(function () {
  "use strict";
  const section = document.getElementById("manifest-progress");
  if (!section || section.dataset.finished === "true") return;
  const field = (name) => section.querySelector(`[data-field="${name}"]`);

  async function poll() {
    try {
      const response = await fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const status = await response.json();
      field("phase_label").textContent = status.phase_label;
      field("progress_text").textContent = status.progress_text;
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
