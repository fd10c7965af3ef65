// The calendar page: FullCalendar (vendored) reads the events of the shown calendars from the
// server; a click on a free slot offers to plan a call, a meeting or a to-do there; a drag or a
// resize asks the server to reschedule (the same services as the forms) and, if it refuses,
// puts the event back and says why. An occurrence of a series asks first: this one or all?
(function () {
  "use strict";
  const element = document.getElementById("calendar");
  const configScript = document.getElementById("calendar-config");
  if (!element || !configScript || !window.FullCalendar) return;
  const config = JSON.parse(configScript.textContent);
  const message = document.getElementById("calendar-message");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const lang = document.documentElement.lang || "fr";
  const narrow = window.matchMedia("(max-width: 575.98px)");

  function show(text, ok) {
    message.textContent = text;
    message.className = "alert " + (ok ? "alert-success" : "alert-danger");
  }

  function pad(n) { return String(n).padStart(2, "0"); }

  // Local wall time with its offset, as the server's forms read it.
  function isoLocal(date) {
    const offset = -date.getTimezoneOffset();
    const sign = offset >= 0 ? "+" : "-";
    const abs = Math.abs(offset);
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":00" +
      sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }

  function isoDay(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
  }

  // --- Rescheduling -----------------------------------------------------------------------
  const scopeModalElement = document.getElementById("scope-modal");
  const scopeModal = scopeModalElement && window.bootstrap
    ? new window.bootstrap.Modal(scopeModalElement) : null;

  function askScope() {
    return new Promise(function (resolve) {
      if (!scopeModal) { resolve("occurrence"); return; }
      let chosen = "";
      function pick(event) {
        const button = event.target.closest("[data-scope]");
        if (!button) return;
        chosen = button.dataset.scope;
        scopeModal.hide();
      }
      scopeModalElement.addEventListener("click", pick);
      scopeModalElement.addEventListener("hidden.bs.modal", function done() {
        scopeModalElement.removeEventListener("click", pick);
        scopeModalElement.removeEventListener("hidden.bs.modal", done);
        resolve(chosen);
      });
      scopeModal.show();
    });
  }

  function send(info) {
    const event = info.event;
    const props = event.extendedProps;
    const body = new URLSearchParams({
      kind: props.kind,
      pk: props.pk,
      start: event.allDay ? isoDay(event.start) : isoLocal(event.start),
      all_day: event.allDay ? "on" : "",
    });
    if (event.end) body.set("end", event.allDay ? isoDay(event.end) : isoLocal(event.end));
    if (props.recurrenceId) body.set("recurrence_id", props.recurrenceId);
    const ready = props.recurrenceId && props.isSeriesOccurrence ? askScope() : Promise.resolve("occurrence");
    ready.then(function (scope) {
      if (!scope) { info.revert(); return; }
      body.set("scope", scope);
      fetch(config.rescheduleUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
        body: body,
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (result) {
          if (!result.ok) info.revert();
          show(result.data.message, result.ok);
          if (result.ok) calendar.refetchEvents();
        })
        .catch(function () {
          info.revert();
          show(element.dataset.errorText || "Error", false);
        });
    });
  }

  // --- Creating on a free slot -------------------------------------------------------------
  const slotModalElement = document.getElementById("slot-modal");
  const slotModal = slotModalElement && window.bootstrap
    ? new window.bootstrap.Modal(slotModalElement) : null;

  function offerCreate(date, allDay) {
    if (!slotModal || !config.canCreate) return;
    const when = allDay ? isoDay(date) : isoLocal(date);
    slotModalElement.querySelector("[data-slot-when]").textContent = allDay
      ? date.toLocaleDateString(lang)
      : date.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
    slotModalElement.querySelectorAll("[data-create]").forEach(function (link) {
      const base = config.createUrls[link.dataset.create];
      link.classList.toggle("d-none", !base);
      if (!base) return;
      const params = new URLSearchParams({ starts_at: when });
      if (link.dataset.create === "todo") params.set("due_date", isoDay(date));
      link.href = base + "?" + params.toString();
    });
    slotModal.show();
  }

  const calendar = new window.FullCalendar.Calendar(element, {
    locale: lang,
    firstDay: 1,
    initialView: narrow.matches && config.initialView === "timeGridWeek"
      ? "timeGridDay" : config.initialView,
    initialDate: config.initialDate || undefined,
    headerToolbar: narrow.matches
      ? { left: "prev,next", center: "title", right: "today" }
      : { left: "prev,next today", center: "title", right: "timeGridDay,timeGridWeek,dayGridMonth" },
    footerToolbar: narrow.matches ? { center: "timeGridDay,timeGridWeek,dayGridMonth" } : false,
    height: "auto",
    nowIndicator: true,
    // A half-hour call shows its time and subject on one line.
    eventShortHeight: 40,
    slotMinTime: "07:00:00",
    slotMaxTime: "20:00:00",
    scrollTime: "08:00:00",
    businessHours: { daysOfWeek: [1, 2, 3, 4, 5], startTime: "08:30", endTime: "16:30" },
    allDayText: config.allDayText,
    dayMaxEvents: true,
    buttonHints: config.buttonHints,
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    eventStartEditable: true,
    eventDurationEditable: true,
    selectable: false,
    events: function (info, success, failure) {
      const params = new URLSearchParams({
        start: isoLocal(info.start), end: isoLocal(info.end), users: config.users,
      });
      fetch(config.eventsUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (events) {
          events.forEach(function (item) {
            const props = item.extendedProps;
            props.isSeriesOccurrence = Boolean(props.series) && props.series === props.pk;
          });
          success(events);
        })
        .catch(function (error) {
          show(element.dataset.loadErrorText || "Error", false);
          failure(error);
        });
    },
    eventDidMount: function (info) {
      const props = info.event.extendedProps;
      if (!props.mine && props.ownerName) {
        info.el.setAttribute("title", props.ownerName + " · " + info.event.title);
      }
      info.el.setAttribute("data-testid", "event-" + info.event.id);
      info.el.setAttribute("data-kind", props.kind);
    },
    eventDrop: send,
    eventResize: send,
    dateClick: function (info) { offerCreate(info.date, info.allDay); },
  });
  calendar.render();
  window.guichetCalendar = calendar;

  // The private feed's address: copied in one click.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      const field = document.querySelector(button.dataset.copy);
      if (!field) return;
      field.select();
      const done = function () {
        button.lastChild.textContent = " " + (button.dataset.copiedText || "OK");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done);
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
