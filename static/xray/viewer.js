// The X-ray image viewer of the parcel page: zoom (buttons, wheel, pinch, + and - keys),
// pan (drag, arrow keys), contrast, inversion and the model's heat map over the image. No
// inline script or style: the CSP allows only our own files, and styles set from script
// (transform, filter) are not inline styles. The viewer's state is mirrored on its
// element's data-* attributes (zoom, inverted, heat-shown, contrast) for tests.
(function () {
  "use strict";
  const MIN = 0.5;
  const MAX = 8;
  const STEP = 1.25;
  const PAN = 40;

  function setup(viewer) {
    const stages = Array.from(viewer.querySelectorAll("[data-stage]"));
    if (!stages.length) return;
    const zoomLevel = viewer.querySelector("[data-zoom-level]");
    const invertButton = viewer.querySelector('[data-action="invert"]');
    const heatButton = viewer.querySelector('[data-action="heatmap"]');
    const contrastInput = viewer.querySelector('[data-action="contrast"]');
    const state = { index: 0, scale: 1, x: 0, y: 0, invert: false, heat: false, contrast: 100 };

    function stage() {
      return stages[state.index];
    }

    function render() {
      const current = stage();
      const canvas = current.querySelector("[data-canvas]");
      const image = current.querySelector("[data-image]");
      const heat = current.querySelector("[data-heatmap]");
      canvas.style.transform = "translate(" + state.x + "px, " + state.y + "px) scale(" + state.scale + ")";
      image.style.filter = "contrast(" + state.contrast + "%)" + (state.invert ? " invert(1)" : "");
      if (heat) heat.hidden = !state.heat;
      heatButton.disabled = !heat;
      heatButton.setAttribute("aria-pressed", String(state.heat && Boolean(heat)));
      invertButton.setAttribute("aria-pressed", String(state.invert));
      zoomLevel.textContent = Math.round(state.scale * 100) + " %";
      viewer.dataset.zoom = state.scale.toFixed(3);
      viewer.dataset.inverted = String(state.invert);
      viewer.dataset.heatShown = String(state.heat && Boolean(heat));
      viewer.dataset.contrast = String(state.contrast);
    }

    function zoom(factor) {
      const next = Math.min(MAX, Math.max(MIN, state.scale * factor));
      // Keep the point at the centre of the stage where it is while zooming.
      state.x *= next / state.scale;
      state.y *= next / state.scale;
      state.scale = next;
      render();
    }

    function reset() {
      state.scale = 1;
      state.x = 0;
      state.y = 0;
      render();
    }

    viewer.addEventListener("click", function (event) {
      const button = event.target.closest("[data-action], [data-show-image]");
      if (!button || button.tagName === "INPUT") return;
      if (button.dataset.showImage !== undefined) {
        stages[state.index].classList.add("xray-stage--hidden");
        state.index = Number(button.dataset.showImage);
        stages[state.index].classList.remove("xray-stage--hidden");
        reset();
        return;
      }
      const action = button.dataset.action;
      if (action === "zoom-in") zoom(STEP);
      else if (action === "zoom-out") zoom(1 / STEP);
      else if (action === "reset") reset();
      else if (action === "invert") {
        state.invert = !state.invert;
        render();
      } else if (action === "heatmap") {
        state.heat = !state.heat;
        render();
      }
    });

    contrastInput.addEventListener("input", function () {
      state.contrast = Number(contrastInput.value);
      render();
    });

    stages.forEach(function (element) {
      // Pointers down on the stage: one drags the image, two pinch it (phones, tablets).
      const pointers = new Map();
      let drag = null;
      let pinch = null;
      function spread() {
        const [a, b] = Array.from(pointers.values());
        return Math.hypot(a.x - b.x, a.y - b.y) || 1;
      }
      element.addEventListener("pointerdown", function (event) {
        pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
        // Capture keeps the drag when the pointer leaves the stage; a pointer that is no
        // longer active (a synthetic event) cannot be captured and still drags.
        try {
          element.setPointerCapture(event.pointerId);
        } catch (error) {
          if (error.name !== "NotFoundError" && error.name !== "InvalidPointerId") throw error;
        }
        if (pointers.size === 2) {
          drag = null;
          pinch = spread();
        } else if (pointers.size === 1) {
          drag = { x: event.clientX - state.x, y: event.clientY - state.y };
          element.classList.add("xray-stage--dragging");
        }
      });
      element.addEventListener("pointermove", function (event) {
        if (!pointers.has(event.pointerId)) return;
        pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
        if (pinch && pointers.size === 2) {
          const now = spread();
          zoom(now / pinch);
          pinch = now;
        } else if (drag) {
          state.x = event.clientX - drag.x;
          state.y = event.clientY - drag.y;
          render();
        }
      });
      function end(event) {
        pointers.delete(event.pointerId);
        if (pointers.size < 2) pinch = null;
        if (pointers.size === 0) {
          drag = null;
          element.classList.remove("xray-stage--dragging");
        }
      }
      element.addEventListener("pointerup", end);
      element.addEventListener("pointercancel", end);
      element.addEventListener(
        "wheel",
        function (event) {
          event.preventDefault();
          zoom(event.deltaY < 0 ? STEP : 1 / STEP);
        },
        { passive: false }
      );
      element.addEventListener("keydown", function (event) {
        const keys = {
          "+": function () { zoom(STEP); },
          "=": function () { zoom(STEP); },
          "-": function () { zoom(1 / STEP); },
          "0": reset,
          ArrowLeft: function () { state.x += PAN; render(); },
          ArrowRight: function () { state.x -= PAN; render(); },
          ArrowUp: function () { state.y += PAN; render(); },
          ArrowDown: function () { state.y -= PAN; render(); },
        };
        if (keys[event.key]) {
          event.preventDefault();
          keys[event.key]();
        }
      });
    });

    render();
  }

  document.querySelectorAll("[data-viewer]").forEach(setup);
})();
