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
