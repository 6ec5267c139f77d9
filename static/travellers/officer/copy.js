// The copy button beside a token shown once: copies the text of the element named by
// data-copy and says so in the button's own live region.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      const text = document.getElementById(button.dataset.copy).textContent.trim();
      const done = document.getElementById(button.dataset.copy + "-copied");
      navigator.clipboard.writeText(text).then(
        function () { if (done) done.textContent = button.dataset.copied; },
        function () { if (done) done.textContent = button.dataset.failed; },
      );
    });
  });
});
