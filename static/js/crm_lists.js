// The CRM's lists (templates/contacts/lists/): the saved-filter forms send the list's current
// filter, which the instant search keeps changing without reloading the page. Their hidden
// "query" is refreshed from the filter form just before they are sent.
(function () {
  "use strict";

  function currentQuery(filterForm) {
    const params = new URLSearchParams();
    new FormData(filterForm).forEach(function (value, key) {
      if (typeof value === "string" && value.trim() !== "") params.append(key, value);
    });
    return params.toString();
  }

  // The address pushed for a filtered list names only the filters set ("?q=roy&mine=on"), as
  // the saved filters do, rather than every empty field of the panel.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id !== "crm-filter-form" && !event.detail.elt.closest(".crm-filters")) return;
    const data = event.detail.formData;
    Array.from(new Set(data.keys())).forEach(function (key) {
      const kept = data.getAll(key).filter(function (value) {
        return typeof value !== "string" || value.trim() !== "";
      });
      data.delete(key);
      kept.forEach(function (value) {
        data.append(key, value);
      });
    });
  });

  // Capture phase: before htmx (listening on the form) reads the form's values.
  document.addEventListener(
    "submit",
    function (event) {
      const form = event.target.closest("form[data-crm-query]");
      if (!form) return;
      const filterForm = document.getElementById(form.dataset.crmQuery);
      const query = form.querySelector("input[name=query]");
      if (filterForm && query) query.value = currentQuery(filterForm);
    },
    true
  );
})();
