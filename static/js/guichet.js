// Guichet's page behaviour, loaded by every page. The Content-Security-Policy refuses inline
// script and event-handler attributes (onchange=…), so pages mark elements with data attributes
// and the handlers live here.
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option submits its form (e.g. the Kanban's group).
  document.addEventListener("change", function (event) {
    const field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit();
  });
})();
