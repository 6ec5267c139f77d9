// The gate rule form shows only the fields the chosen kind of rule uses: the share for a
// random share, the question for an answer rule, the value for a flight or an origin.
// Without JavaScript every field stays visible and the server ignores the unused ones.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const kind = document.getElementById("id_kind");
  if (!kind) return;
  const fields = {
    share_percent: ["random_share"],
    question: ["answer"],
    value: ["flight", "origin"],
  };
  function wrapper(name) {
    const input = document.getElementById("id_" + name);
    return input ? input.closest("[data-rule-field]") : null;
  }
  function update() {
    Object.keys(fields).forEach(function (name) {
      const box = wrapper(name);
      if (box) box.hidden = fields[name].indexOf(kind.value) === -1;
    });
  }
  kind.addEventListener("change", update);
  update();
});
