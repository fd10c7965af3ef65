// The CRM's record pages and forms (contacts): the inline edit of one field and the record
// pickers. Loaded by the pages that use them (no inline script under the
// Content-Security-Policy).
(function () {
  "use strict";

  // Inline edit: a refused value comes back as 422 with the form and its errors, shown in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const xhr = event.detail.xhr;
    // detail.elt is the target here; the element that asked is the request's.
    const source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (xhr && xhr.status === 422 && source && source.closest("[data-inline-edit]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The form that opens takes the focus; the one saved or cancelled gives it back to its pencil.
  document.addEventListener("htmx:afterSwap", function (event) {
    const target = event.detail.target;
    if (!target || !target.classList || !target.classList.contains("record-field")) return;
    const swapped = document.getElementById(target.id) || target;
    const field = swapped.querySelector("form [name^='inline-']");
    if (field) {
      field.focus();
      if (field.select && field.type !== "date" && field.type !== "datetime-local") field.select();
      return;
    }
    const pencil = swapped.querySelector(".record-field-edit");
    if (pencil) pencil.focus();
  });

  // Escape in an inline form: cancel, the field as it was comes back.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const form = event.target.closest && event.target.closest("[data-inline-edit]");
    if (!form) return;
    const cancel = form.querySelector("[data-inline-cancel]");
    if (cancel) {
      event.preventDefault();
      cancel.click();
    }
  });

  // Pickers: Enter in the search box searches now instead of sending the whole form.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches || !event.target.matches("[data-picker-q]")) return;
    event.preventDefault();
    if (window.htmx) window.htmx.trigger(event.target, "search");
  });

  // The × of a chosen record takes it out of the form.
  document.addEventListener("click", function (event) {
    const remove = event.target.closest && event.target.closest("[data-picker-remove]");
    if (!remove) return;
    event.preventDefault();
    remove.closest("label").remove();
  });

  // A result picked joins the chosen ones (it stays when the search changes); a radio button
  // replaces the one chosen before.
  document.addEventListener("change", function (event) {
    const input = event.target;
    const results = input.closest && input.closest("[data-picker-results]");
    if (!results) return;
    const picker = results.closest("[data-record-picker]");
    const chosen = picker.querySelector("[data-picker-chosen]");
    const choice = input.closest("label");
    if (input.type === "radio") chosen.replaceChildren();
    choice.classList.add("record-picker-choice");
    chosen.appendChild(choice);
    const box = picker.querySelector("[data-picker-q]");
    if (box) box.value = "";
    results.replaceChildren();
  });
})();
