// The article body: Trix while the format is HTML, the plain textarea for Markdown. The textarea
// stays the field the form sends; what Trix holds is written into it when the form is sent, and
// only once the editor changed something, so opening and saving an article leaves its body
// exactly as it was, and then with the attributes it cannot show put back (withKeptAttributes).
"use strict";

// Elements Trix keeps when it loads HTML (after the tweaks below). A body with anything else
// (tables, images, figures, h3…) stays in the textarea rather than losing part of itself.
const TRIX_KEEPS = new Set([
  "DIV", "P", "BR", "SPAN", "STRONG", "B", "EM", "I", "DEL", "A",
  "H2", "BLOCKQUOTE", "PRE", "UL", "OL", "LI",
]);

if (window.Trix) {
  // The page title is the article's h1: headings in the body are h2 (sanitizing.py keeps both).
  Trix.config.blockAttributes.heading1.tagName = "h2";
}

function richEditorCanKeep(html) {
  const body = new DOMParser().parseFromString(html, "text/html").body; // parsing runs no script
  return Array.from(body.querySelectorAll("*")).every((element) => TRIX_KEEPS.has(element.tagName));
}

// Trix writes a block as <div> with <br><br> between paragraphs; the body keeps real paragraphs.
function withParagraphs(html) {
  const template = document.createElement("template"); // inert: nothing in it runs or loads
  template.innerHTML = html;
  for (const block of Array.from(template.content.children)) {
    if (block.tagName !== "DIV") continue;
    const paragraphs = [[]];
    for (const node of Array.from(block.childNodes)) {
      const previous = paragraphs[paragraphs.length - 1];
      if (node.nodeName === "BR" && previous.length && previous[previous.length - 1].nodeName === "BR") {
        previous.pop();
        paragraphs.push([]);
      } else {
        previous.push(node);
      }
    }
    const replacement = [];
    for (const nodes of paragraphs) {
      while (nodes.length && nodes[0].nodeName === "BR") nodes.shift();
      while (nodes.length && nodes[nodes.length - 1].nodeName === "BR") nodes.pop();
      if (!nodes.some((node) => node.nodeName !== "#text" || node.textContent.trim())) continue;
      const paragraph = document.createElement("p");
      paragraph.append(...nodes);
      replacement.push(paragraph);
    }
    block.replaceWith(...replacement);
  }
  return template.innerHTML;
}

// Elements whose attributes Trix cannot hold (it keeps a link's href, nothing else): an edit
// puts back what the body had on them, so that it changes only what the editor changed.
const KEPT_ATTRIBUTES_OF = ["A", "OL", "BLOCKQUOTE"];

function elementKey(element) {
  return `${element.getAttribute("href") || ""}\u0000${element.textContent}`;
}

// Past this many cells the table of common keys is not built (it is read once, when the form is
// sent, but a body of tens of thousands of links would still hold the page): the elements
// between the common start and end are then paired only when as many are there before as after.
const MATCH_TABLE_CELLS = 4_000_000;

// Pairs of indexes (into `before`, `after`) of the same element before and after an edit: those
// whose key is unchanged (the common start and end, then a longest common subsequence of what
// lies between), then, between two such pairs, elements taken in order where as many were there
// before as after (one edited in place).
function sameElements(before, after) {
  const keysBefore = before.map(elementKey);
  const keysAfter = after.map(elementKey);
  let start = 0;
  while (start < before.length && start < after.length && keysBefore[start] === keysAfter[start]) start++;
  let end = 0;
  while (
    end < before.length - start && end < after.length - start
    && keysBefore[before.length - 1 - end] === keysAfter[after.length - 1 - end]
  ) end++;
  const anchors = [];
  for (let k = 0; k < start; k++) anchors.push([k, k]);
  anchors.push(...commonKeys(keysBefore, keysAfter, start, before.length - end, after.length - end));
  for (let k = end; k > 0; k--) anchors.push([before.length - k, after.length - k]);
  const pairs = [];
  let previous = [-1, -1];
  for (const anchor of [...anchors, [before.length, after.length]]) {
    const gapBefore = anchor[0] - previous[0] - 1;
    if (gapBefore > 0 && gapBefore === anchor[1] - previous[1] - 1) {
      for (let k = 1; k <= gapBefore; k++) pairs.push([previous[0] + k, previous[1] + k]);
    }
    if (anchor[0] < before.length) pairs.push(anchor);
    previous = anchor;
  }
  return pairs;
}

// A longest common subsequence of keysBefore[from, toBefore) and keysAfter[from, toAfter), as
// pairs of indexes; none when its table would pass MATCH_TABLE_CELLS.
function commonKeys(keysBefore, keysAfter, from, toBefore, toAfter) {
  const rows = toBefore - from;
  const columns = toAfter - from;
  if (!rows || !columns || (rows + 1) * (columns + 1) > MATCH_TABLE_CELLS) return [];
  const width = columns + 1;
  const lengths = new Uint32Array((rows + 1) * width); // lengths[i * width + j]: from (i, j) on
  for (let i = rows - 1; i >= 0; i--) {
    for (let j = columns - 1; j >= 0; j--) {
      lengths[i * width + j] = keysBefore[from + i] === keysAfter[from + j]
        ? lengths[(i + 1) * width + j + 1] + 1
        : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
    }
  }
  const anchors = [];
  for (let i = 0, j = 0; i < rows && j < columns;) {
    if (keysBefore[from + i] === keysAfter[from + j]) anchors.push([from + i++, from + j++]);
    else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) i++;
    else j++;
  }
  return anchors;
}

function withKeptAttributes(html, source) {
  const edited = document.createElement("template"); // inert: nothing in either runs or loads
  edited.innerHTML = html;
  const original = document.createElement("template");
  original.innerHTML = source;
  for (const tagName of KEPT_ATTRIBUTES_OF) {
    const before = Array.from(original.content.querySelectorAll(tagName));
    const after = Array.from(edited.content.querySelectorAll(tagName));
    for (const [i, j] of sameElements(before, after)) {
      for (const attribute of Array.from(before[i].attributes)) {
        if (!after[j].hasAttribute(attribute.name)) after[j].setAttribute(attribute.name, attribute.value);
      }
    }
  }
  return edited.innerHTML;
}

function setUpBodyEditor(textarea) {
  const format = document.getElementById(textarea.dataset.formatField);
  if (!format || !window.Trix) return;
  const input = document.createElement("input");
  input.type = "hidden";
  input.id = `${textarea.id}_rich`;
  input.value = textarea.value;
  const editor = document.createElement("trix-editor");
  editor.setAttribute("input", input.id);
  editor.className = "body-editor trix-content body-editor-hidden";
  const note = document.createElement("p");
  note.className = "help body-editor-note";
  note.textContent = textarea.dataset.rawNote;
  note.hidden = true;
  const box = document.createElement("div"); // Trix puts its toolbar next to the editor: keep both in one block
  box.className = "body-editor-box";
  box.append(input, editor);
  textarea.after(box, note);

  let loaded = null; // what Trix made of the body it was last given
  let source = textarea.value; // that body as it was written
  let edited = false; // whether Trix holds something else now
  editor.addEventListener("trix-initialize", () => {
    loaded = input.value;
    show();
  });
  editor.addEventListener("trix-change", () => {
    if (loaded !== null && !editor.classList.contains("body-editor-hidden")) edited = input.value !== loaded;
  });
  editor.addEventListener("trix-file-accept", (event) => event.preventDefault());

  // Into the textarea only when it is read: the form is sent, or the format changes (it shows).
  // Rebuilding the body on every keystroke made typing lag in a long one.
  function writeBack() {
    if (loaded === null || editor.classList.contains("body-editor-hidden")) return;
    textarea.value = edited ? withKeptAttributes(withParagraphs(input.value), source) : source;
  }
  textarea.form.addEventListener("submit", writeBack);

  function show() {
    writeBack();
    const html = format.value === "html";
    const rich = html && richEditorCanKeep(textarea.value);
    if (rich && editor.classList.contains("body-editor-hidden") && loaded !== null && textarea.value !== input.value) {
      editor.editor.loadHTML(textarea.value);
      loaded = input.value;
      source = textarea.value;
      edited = false;
    }
    editor.classList.toggle("body-editor-hidden", !rich);
    if (editor.toolbarElement) editor.toolbarElement.classList.toggle("body-editor-hidden", !rich);
    textarea.classList.toggle("body-editor-hidden", rich);
    note.hidden = !(html && !rich);
  }
  format.addEventListener("change", show);
  show();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("textarea[data-body-editor]").forEach(setUpBodyEditor);
});
