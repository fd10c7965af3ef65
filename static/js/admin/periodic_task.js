// django-celery-beat's periodic task form (admin), moved out of its template for the
// Content-Security-Policy: the crontab's help text says what the chosen schedule means.
(function () {
  "use strict";
  const data = document.getElementById("readable-crontabs");
  if (!data) return;
  const readable = JSON.parse(data.textContent);
  const translationRow = document.querySelector(".field-crontab_translation");
  if (translationRow) translationRow.style.display = "none";
  const row = document.querySelector(".field-crontab");
  const help = row && row.querySelector(".help");
  const select = document.getElementById("id_crontab");
  if (!help || !select) return;
  const original = help.textContent;
  row.addEventListener("change", function () {
    help.textContent = original;
    const meaning = readable[select.value];
    if (meaning) {
      help.appendChild(document.createElement("br"));
      help.appendChild(document.createTextNode("Translation: " + meaning));
    }
  });
})();
