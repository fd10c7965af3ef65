// The steps of a form (requests_app/forms): fields shown only when another field has a given
// answer appear and disappear as the person answers, as the server decides on submission
// (engine.visibility). A hidden field's inputs are disabled, so they are not sent. The error
// summary, when there is one, takes the focus so that it is read first.
(function () {
  "use strict";
  var TRUE_WORDS = ["yes", "true", "1", "on", "oui", "vrai"];
  var FALSE_WORDS = ["no", "false", "0", "off", "non", "faux", ""];

  function answerOf(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    if (!inputs.length) return null; // on an earlier step: the server decided already
    var first = inputs[0];
    if (first.type === "radio") {
      var checked = form.querySelector('[name="' + name + '"]:checked');
      return checked && !checked.disabled ? checked.value : "";
    }
    if (first.type === "checkbox") {
      if (inputs.length === 1 && first.value === "on") return !first.disabled && first.checked;
      var values = [];
      inputs.forEach(function (input) {
        if (input.checked && !input.disabled) values.push(input.value);
      });
      return values;
    }
    return first.disabled ? "" : first.value;
  }

  function matches(answer, expected) {
    expected = (expected || "").trim().toLowerCase();
    if (answer === true) return TRUE_WORDS.indexOf(expected) !== -1;
    if (answer === false) return FALSE_WORDS.indexOf(expected) !== -1;
    if (Array.isArray(answer)) {
      return answer.some(function (v) { return String(v).trim().toLowerCase() === expected; });
    }
    return String(answer || "").trim().toLowerCase() === expected;
  }

  function update(form) {
    // In the form's order, so a field depending on a field just hidden is hidden too.
    form.querySelectorAll("[data-show-when]").forEach(function (wrapper) {
      var answer = answerOf(form, wrapper.getAttribute("data-show-when"));
      if (answer === null) return;
      var shown = matches(answer, wrapper.getAttribute("data-show-value"));
      wrapper.hidden = !shown;
      wrapper.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !shown;
      });
    });
  }

  function start() {
    document.querySelectorAll("form.js-form-conditions").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
      form.addEventListener("input", function () { update(form); });
    });
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
      // A link of the summary takes the keyboard to its field, not only the view.
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        event.preventDefault();
        target.focus();
        target.scrollIntoView({ block: "center" });
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
