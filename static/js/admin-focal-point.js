// Sets the lead image's focal point where the editor clicks its preview: fills in the two
// number inputs (which work by themselves without this script) and moves the mark.
"use strict";

(() => {
  const inputs = () => [document.getElementById("id_lead_image_focus_x"), document.getElementById("id_lead_image_focus_y")];

  const place = (picker) => {
    const [x, y] = inputs();
    const mark = picker.querySelector(".focus-picker__mark");
    if (!x || !y || !mark) return;
    mark.style.left = `${Number(x.value) || 0}%`;
    mark.style.top = `${Number(y.value) || 0}%`;
    picker.classList.add("focus-picker--ready");
  };

  document.addEventListener("DOMContentLoaded", () => {
    const picker = document.querySelector("[data-focus-picker]");
    if (!picker) return;
    const image = picker.querySelector("img");
    const [x, y] = inputs();
    if (!image || !x || !y) return;
    image.addEventListener("click", (event) => {
      const box = image.getBoundingClientRect();
      const clamp = (value) => Math.max(0, Math.min(100, Math.round(value)));
      x.value = clamp(((event.clientX - box.left) / box.width) * 100);
      y.value = clamp(((event.clientY - box.top) / box.height) * 100);
      place(picker);
    });
    x.addEventListener("input", () => place(picker));
    y.addEventListener("input", () => place(picker));
    place(picker);
  });
})();
