// Orders the front page's slots: each row gets "Move up" and "Move down" buttons (plain
// buttons, so the keyboard and screen readers work them; each move is announced) and a handle
// to drag it by. Either way the rows' position numbers, which order the slots by themselves
// without this script, are rewritten to the order on screen.
"use strict";

(() => {
  const rowsOf = (body) => [...body.children].filter((row) => row.matches("tr.form-row:not(.empty-form)"));

  // Only rows with a story are numbered: an empty extra row left as it was is no slot, and the
  // admin would otherwise ask for its story.
  const renumber = (body) => {
    rowsOf(body).forEach((row, index) => {
      const input = row.querySelector("[data-slot-position]");
      const story = row.querySelector(".field-article select");
      if (input) input.value = story && story.value ? index + 1 : input.defaultValue;
    });
  };

  const announce = (body, row) => {
    const input = row.querySelector("[data-slot-position]");
    const status = body.closest("fieldset").querySelector(".slot-status");
    const rows = rowsOf(body);
    status.textContent = input.dataset.moved
      .replace("%(position)s", rows.indexOf(row) + 1)
      .replace("%(count)s", rows.length);
  };

  const move = (row, by) => {
    const body = row.parentElement;
    const rows = rowsOf(body);
    const target = rows[rows.indexOf(row) + by];
    if (target) {
      target.insertAdjacentElement(by < 0 ? "beforebegin" : "afterend", row);
      renumber(body);
    }
    announce(body, row);
  };

  let dragged = null;

  const enhance = (row) => {
    const input = row.querySelector("[data-slot-position]");
    if (!input || row.classList.contains("empty-form") || row.querySelector(".slot-controls")) return;
    input.hidden = true;
    const controls = document.createElement("span");
    controls.className = "slot-controls";
    const handle = document.createElement("span");
    handle.className = "slot-handle";
    handle.draggable = true;
    handle.title = input.dataset.drag;
    handle.textContent = "⠿";
    handle.setAttribute("aria-hidden", "true"); // the buttons are its keyboard equivalent
    controls.append(handle);
    for (const [label, by] of [[input.dataset.moveUp, -1], [input.dataset.moveDown, 1]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = by < 0 ? "slot-up" : "slot-down";
      button.textContent = by < 0 ? "↑" : "↓";
      button.setAttribute("aria-label", label);
      button.title = label;
      button.addEventListener("click", () => {
        move(row, by);
        button.focus(); // moving the row in the document drops the focus
      });
      controls.append(button);
    }
    input.insertAdjacentElement("afterend", controls);
    handle.addEventListener("dragstart", (event) => {
      dragged = row;
      row.classList.add("slot-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.id);
    });
    handle.addEventListener("dragend", () => {
      row.classList.remove("slot-dragging");
      dragged = null;
    });
    row.addEventListener("dragover", (event) => {
      if (dragged && dragged !== row && dragged.parentElement === row.parentElement) event.preventDefault();
    });
    row.addEventListener("drop", (event) => {
      if (!dragged || dragged === row || dragged.parentElement !== row.parentElement) return;
      event.preventDefault();
      const rows = rowsOf(row.parentElement);
      // Dropped on a row, it takes that row's place.
      const downwards = rows.indexOf(dragged) < rows.indexOf(row);
      row.insertAdjacentElement(downwards ? "afterend" : "beforebegin", dragged);
      renumber(row.parentElement);
      announce(row.parentElement, dragged);
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    for (const fieldset of document.querySelectorAll("fieldset.front-page-slots")) {
      const body = fieldset.querySelector("tbody");
      if (!body || !body.querySelector("[data-slot-position]")) continue;
      const status = document.createElement("p");
      status.className = "slot-status visually-hidden";
      status.setAttribute("role", "status");
      fieldset.append(status);
      rowsOf(body).forEach(enhance);
      renumber(body);
      fieldset.closest("form").addEventListener("submit", () => renumber(body));
    }
  });
  // A row added with "Add another" (Django's inlines.js).
  document.addEventListener("formset:added", (event) => {
    const row = event.target;
    if (row.closest && row.closest("fieldset.front-page-slots")) {
      enhance(row);
      renumber(row.parentElement);
    }
  });
})();
