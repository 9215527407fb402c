// Starts GOV.UK Frontend's components and divert's own. A file, not an inline script, so the
// CSP can forbid inline scripts.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();

// Tables (templates/components/table.html): say "scroll sideways" only when a table is wider
// than its box, and again whenever the window is resized.
const tables = document.querySelectorAll('[data-module="divert-table"]');
function showScrollCues() {
  for (const table of tables) {
    const box = table.querySelector(".divert-table__scroll");
    table.querySelector(".divert-table__cue").hidden = box.scrollWidth <= box.clientWidth;
  }
}
if (tables.length) {
  showScrollCues();
  window.addEventListener("resize", showScrollCues);
}

// Copy buttons: <button data-copy-target="id"> copies the text of the element with that id and
// says so in a live region next to it.
for (const button of document.querySelectorAll("[data-copy-target]")) {
  button.hidden = !navigator.clipboard;
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copyTarget);
    const status = document.getElementById(button.dataset.copyStatus);
    await navigator.clipboard.writeText(source.textContent.trim());
    if (status) status.textContent = "Link copied";
  });
}
