// Kanban drag and drop: a drop asks the server to move the task (the same services as the
// task page's buttons). A refused move puts the card back where it was and shows why.
// While a card is dragged, the columns it may go to (the task's state machine, sent by the page
// as #kanban-moves) are marked legal and the others illegal; the server still decides.
(function () {
  "use strict";
  const board = document.querySelector(".kanban");
  if (!board) return;
  const message = document.getElementById("kanban-message");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const movesScript = document.getElementById("kanban-moves");
  const moves = movesScript ? JSON.parse(movesScript.textContent) : {};
  let dragged = null;
  let origin = null;
  let originNext = null;

  function show(text, ok) {
    message.textContent = text;
    message.className = "alert " + (ok ? "alert-success" : "alert-danger");
  }

  function recount() {
    board.querySelectorAll(".kanban-column").forEach(function (column) {
      column.querySelector("[data-count]").textContent =
        column.querySelectorAll(".kanban-card").length;
    });
  }

  function mark(fromStatus) {
    const legal = moves[fromStatus] || [];
    board.querySelectorAll(".kanban-column").forEach(function (column) {
      const status = column.dataset.status;
      column.classList.toggle("kanban-legal", legal.indexOf(status) !== -1);
      column.classList.toggle(
        "kanban-illegal", status !== fromStatus && legal.indexOf(status) === -1
      );
    });
  }

  function unmark() {
    board.querySelectorAll(".kanban-column").forEach(function (column) {
      column.classList.remove("kanban-legal", "kanban-illegal");
    });
  }

  // A board wider than the screen scrolls sideways; a shade on the edge that hides columns says
  // so, whether or not the system shows scroll bars (phones and macOS hide them).
  const frame = board.closest(".kanban-frame");
  function shade() {
    if (!frame) return;
    const hidden = board.scrollWidth - board.clientWidth;
    frame.classList.toggle("kanban-more-left", board.scrollLeft > 1);
    frame.classList.toggle("kanban-more-right", hidden - board.scrollLeft > 1);
  }
  board.addEventListener("scroll", shade, { passive: true });
  window.addEventListener("resize", shade);
  shade();

  board.addEventListener("dragend", unmark);

  board.addEventListener("dragstart", function (event) {
    dragged = event.target.closest(".kanban-card");
    if (!dragged) return;
    mark(dragged.closest(".kanban-column").dataset.status);
    origin = dragged.parentElement;
    originNext = dragged.nextElementSibling;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.task);
  });

  board.addEventListener("dragover", function (event) {
    if (event.target.closest(".kanban-column")) event.preventDefault();
  });

  board.addEventListener("drop", function (event) {
    const column = event.target.closest(".kanban-column");
    if (!column || !dragged) return;
    event.preventDefault();
    unmark();
    const target = column.querySelector(".kanban-drop");
    if (target === origin) {
      dragged = null;
      return;
    }
    const card = dragged;
    const from = origin;
    const fromNext = originNext;
    target.prepend(card);
    recount();
    const url = board.dataset.moveUrl.replace("/0/", "/" + card.dataset.task + "/");
    const body = new URLSearchParams({ status: column.dataset.status });
    fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
      body: body,
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (!result.ok) {
          from.insertBefore(card, fromNext);
          recount();
        }
        show(result.data.message, result.ok);
      })
      .catch(function () {
        from.insertBefore(card, fromNext);
        recount();
        show(board.dataset.errorText || "Error", false);
      });
    dragged = null;
  });
})();
