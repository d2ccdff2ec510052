// Shows the file an editor just chose in an image field, before the form is saved.
"use strict";

document.addEventListener("change", (event) => {
  const input = event.target;
  const box = input.closest && input.closest("[data-image-preview]");
  if (!box || input.type !== "file") return;
  const preview = box.querySelector("[data-new-image]");
  if (preview.src.startsWith("blob:")) URL.revokeObjectURL(preview.src);
  const file = input.files[0];
  if (file && file.type.startsWith("image/")) {
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
  } else {
    preview.removeAttribute("src");
    preview.hidden = true;
  }
});
