// The shell's global search box (templates/agent/base.html): htmx fills the dropdown of top
// matches as one types; this closes it (Escape, a click elsewhere) and lets the arrow keys
// walk from the box into the matches and back.
(function () {
  "use strict";

  const box = document.getElementById("global-search-q");
  const results = document.getElementById("global-search-results");
  if (!box || !results) return;

  function close() {
    results.replaceChildren();
  }

  function links() {
    return Array.from(results.querySelectorAll("a"));
  }

  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      close();
    } else if (event.key === "ArrowDown" && links().length) {
      event.preventDefault();
      links()[0].focus();
    }
  });

  results.addEventListener("keydown", function (event) {
    const all = links();
    const index = all.indexOf(document.activeElement);
    if (event.key === "Escape") {
      close();
      box.focus();
    } else if (event.key === "ArrowDown" && index < all.length - 1) {
      event.preventDefault();
      all[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (index > 0 ? all[index - 1] : box).focus();
    }
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest(".crm-global-search")) close();
  });
})();
