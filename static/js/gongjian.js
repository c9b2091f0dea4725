/* Gongjian: small progressive enhancements; every page works without them. No inline scripts. */
(function () {
  "use strict";

  // Wall display: a button that asks the browser for full screen.
  document.querySelectorAll("[data-gj-fullscreen]").forEach(function (button) {
    button.addEventListener("click", function () {
      var el = document.documentElement;
      if (!document.fullscreenElement && el.requestFullscreen) { el.requestFullscreen(); }
      else if (document.exitFullscreen) { document.exitFullscreen(); }
    });
  });

  // Wall display: page through a list longer than the screen, and reload the figures every
  // data-refresh seconds — only when the server answers, so a network hiccup never leaves an
  // error page on the hall's screen (it tries again a minute later); a link the office revoked
  // (410) is shown as such instead of last figures that would never change again.
  var wall = document.getElementById("gj-wall");
  if (wall) {
    var box = document.getElementById("wall-table-box");
    var rows = box ? Array.prototype.slice.call(box.querySelectorAll("tbody tr")) : [];
    var pager = document.getElementById("wall-pager");
    var page = 0, perPage = rows.length;
    var layout = function () {
      rows.forEach(function (r) { r.classList.remove("gj-off"); });
      if (!box || !rows.length || getComputedStyle(box).overflow !== "hidden") { perPage = rows.length; return; }
      var head = box.querySelector("thead"), room = box.clientHeight - (head ? head.offsetHeight : 0);
      var rowHeight = Math.max.apply(null, rows.map(function (r) { return r.offsetHeight; })) || 1;
      perPage = Math.max(1, Math.floor(room / rowHeight));
    };
    var show = function () {
      var pages = Math.max(1, Math.ceil(rows.length / perPage));
      page = page % pages;
      rows.forEach(function (r, i) { r.classList.toggle("gj-off", Math.floor(i / perPage) !== page); });
      if (pager) { pager.textContent = pages > 1 ? (page + 1) + " / " + pages : ""; }
    };
    layout(); show();
    window.addEventListener("resize", function () { layout(); show(); });
    var pageSeconds = parseInt(wall.dataset.pageSeconds, 10) || 15;
    setInterval(function () { page += 1; show(); }, pageSeconds * 1000);
    var refresh = parseInt(wall.dataset.refresh, 10) || 300;
    var reload = function () {
      fetch(window.location.href, {cache: "no-store", credentials: "same-origin"}).then(function (r) {
        if (r.ok || r.status === 410) { window.location.reload(); } else { setTimeout(reload, 60000); }
      }, function () { setTimeout(reload, 60000); });
    };
    setTimeout(reload, refresh * 1000);
  }

  // Dashboard filters: submit the filter form as soon as a select changes.
  document.querySelectorAll("form[data-gj-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Person pickers: a box above the list that keeps the options whose 姓名（单位·职务） match.
  document.querySelectorAll("select[data-person-picker]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = select.dataset.personPicker;
    box.setAttribute("aria-label", select.dataset.personPicker);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var wanted = box.value.trim();
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = wanted !== "" && option.value !== "" && option.text.indexOf(wanted) === -1;
      });
    });
  });

  // Any file input with a size limit: refuse a file too large before the form is sent (the
  // server would refuse it too, and the whole request past its limit), so nothing typed is lost.
  document.querySelectorAll("input[type=file][data-max-bytes][data-msg-too-big]").forEach(function (input) {
    input.addEventListener("change", function () {
      var maxBytes = parseInt(input.dataset.maxBytes, 10), maxCount = parseInt(input.dataset.maxCount || "0", 10);
      var message = "";
      if (maxCount && input.files.length > maxCount) { message = input.dataset.msgTooMany || ""; }
      Array.prototype.forEach.call(input.files || [], function (file) {
        if (file.size > maxBytes) { message = input.dataset.msgTooBig || ""; }
      });
      input.setCustomValidity(message);
      if (message) { input.reportValidity(); }
    });
    // Forms marked novalidate (errors come from the server) are still not sent with such a file.
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (input.validationMessage) { event.preventDefault(); input.reportValidity(); }
      });
    }
  });

  // One submission, one record: once a posted form is on its way, its submit buttons are
  // disabled (after the submit, so a clicked button's name and value still go with it) and a
  // second submit is ignored. The server's one-time form token makes a repeat harmless anyway.
  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (event.defaultPrevented || !target || (target.method || "").toLowerCase() !== "post") { return; }
    if (target.dataset.gjSubmitted) { event.preventDefault(); return; }
    target.dataset.gjSubmitted = "1";
    setTimeout(function () {
      target.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
        b.disabled = true;
        b.setAttribute("aria-disabled", "true");
      });
    }, 0);
  });
  // Back from the browser's cache (pageshow persisted): the form can be used again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[data-gj-submitted]").forEach(function (f) {
      delete f.dataset.gjSubmitted;
      f.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = false; b.removeAttribute("aria-disabled"); });
    });
  });

  // Report form: the lag the typed percent would give, before submitting. The server renders
  // ⌊10 × the exact plan of today⌋ and where the plan's remainder lies against half a tenth
  // (projects.figures.report_form_figures); a percent has one decimal, so in tenths d = ⌊10 × plan⌋
  // − 10 × percent is 10 × the exact lag rounded down, and everything is whole numbers: the
  // thresholds are whole points (lag ≥ Y exactly when d ≥ 10Y), and the lag is shown to one
  // decimal half away from zero, as plan.shown does.
  document.querySelectorAll("[data-gj-lag]").forEach(function (box) {
    var input = box.closest("form") && box.closest("form").querySelector("input[name=percent]");
    if (!input) { return; }
    var planTenths = parseInt(box.dataset.planTenths, 10), half = parseInt(box.dataset.planHalf, 10);
    var yellow = parseInt(box.dataset.yellow, 10) * 10, red = parseInt(box.dataset.red, 10) * 10;
    var text = box.querySelector("[data-gj-lag-text]"), dot = box.querySelector(".gj-light");
    var tone = function (name) {
      ["secondary", "success", "warning", "danger"].forEach(function (t) { box.classList.toggle("alert-" + t, t === name); });
      ["green", "yellow", "red"].forEach(function (t) { dot.classList.toggle("gj-light-" + t, t === ({success: "green", warning: "yellow", danger: "red"})[name]); });
    };
    var update = function () {
      var value = input.value.trim(), percent = Number(value);
      if (value === "" || !isFinite(percent) || percent < 0 || percent > 100) { box.hidden = true; return; }
      var d = planTenths - Math.round(percent * 10);
      var shown = d + ((d >= 0 ? half >= 0 : half > 0) ? 1 : 0);
      var points = (Math.abs(shown) / 10).toFixed(1);
      var message;
      if (shown > 0) { message = box.dataset.msgBehind.replace("{lag}", points); }
      else if (shown < 0) { message = box.dataset.msgAhead.replace("{lag}", points); }
      else { message = box.dataset.msgEven; }
      if (d >= red) { message += box.dataset.msgRed; tone("danger"); }
      else if (d >= yellow) { message += box.dataset.msgYellow; tone("warning"); }
      else { tone("success"); }
      text.textContent = message;
      box.hidden = false;
    };
    input.addEventListener("input", update);
    update();
  });

  // Messages of the last step (includes/messages.html): a screen reader reads out what is added
  // to a live region, not what the page opened with, so the text is added once, a moment after
  // load, then taken away (the alerts stay). The page's own anchor is scrolled to clear of them.
  var messageBox = document.getElementById("gj-messages");
  if (messageBox) {
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    messageBox.appendChild(spoken);
    setTimeout(function () {
      spoken.textContent = Array.prototype.map.call(messageBox.querySelectorAll("[data-gj-message]"),
        function (m) { return m.textContent.trim(); }).join(" ");
    }, 300);
    setTimeout(function () { spoken.remove(); }, 6000);
    var keepClear = function () {
      var open = messageBox.querySelector("[data-gj-message]");
      document.documentElement.style.scrollPaddingTop = open ? (messageBox.offsetHeight + 16) + "px" : "";
    };
    keepClear();
    new MutationObserver(keepClear).observe(messageBox, {childList: true});  // an alert closed
    var target = null;
    try { target = document.getElementById(decodeURIComponent(window.location.hash.slice(1))); } catch (e) { target = null; }
    if (target) { target.scrollIntoView(); }
  }

  // A form sent after the session ended, kept by the server and filled in again after signing
  // in (web.middleware.KeepFormAcrossSignInMiddleware): the forms that send to the same address,
  // each field by name — the n-th value to the n-th field of that name, boxes and choices ticked
  // by value. Hidden fields keep the page's own (tokens, the rows a formset has); nothing is sent.
  var kept = document.getElementById("gj-restored-form");
  if (kept) {
    var data = JSON.parse(kept.textContent);
    var values = {};
    data.fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    var note = document.getElementById("gj-restored-note");
    document.querySelectorAll("form[method=post], form[method=POST]").forEach(function (f) {
      if (new URL(f.action, window.location.href).pathname !== data.path) { return; }
      if (note) { note.hidden = false; }
      var seen = {};
      Array.prototype.forEach.call(f.elements, function (el) {
        var given = values[el.name];
        if (!el.name || !given || el.disabled || /^(hidden|file|password|submit|button|reset)$/.test(el.type)) { return; }
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = given.indexOf(el.value) !== -1;
        } else if (el.multiple) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = given.indexOf(o.value) !== -1; });
        } else {
          var i = seen[el.name] || 0;
          seen[el.name] = i + 1;
          if (i >= given.length) { return; }
          el.value = given[i];
        }
        el.dispatchEvent(new Event("input", {bubbles: true}));
        el.dispatchEvent(new Event("change", {bubbles: true}));
      });
    });
  }

  // Rows of a formset (templates/setup/_formset.html): of the empty rows the server gives, one
  // shows at a time and a button adds the next, so a project with six milestones takes one save
  // and the page stays short. A row filled in since it was rendered (the browser's own restore,
  // a form kept across a sign-in) stays shown. Without this every empty row shows.
  document.querySelectorAll("[data-gj-rows][data-gj-add-row]").forEach(function (box) {
    function untouched(row) {
      return Array.prototype.every.call(row.querySelectorAll("input, select, textarea"), function (el) {
        if (el.type === "hidden" || !el.name) { return true; }
        if (el.type === "checkbox" || el.type === "radio") { return el.checked === el.defaultChecked; }
        if (el.tagName === "SELECT") {  // with no option marked selected, the first one is
          var marked = Array.prototype.some.call(el.options, function (o) { return o.defaultSelected; });
          return Array.prototype.every.call(el.options, function (o, i) {
            return o.selected === (marked ? o.defaultSelected : !el.multiple && i === 0);
          });
        }
        return el.value === el.defaultValue;
      });
    }
    var spare = Array.prototype.filter.call(box.querySelectorAll(":scope > [data-gj-empty-row]"), untouched);
    spare.slice(1).forEach(function (row) { row.hidden = true; });
    if (spare.length < 2) { return; }
    var add = document.createElement("button");
    add.type = "button";
    add.className = "btn btn-outline-secondary btn-sm mb-2";
    add.textContent = box.dataset.gjAddRow;
    add.dataset.gjAddRowFor = box.dataset.gjRows;
    box.appendChild(add);
    add.addEventListener("click", function () {
      var next = box.querySelector(":scope > [data-gj-empty-row][hidden]");
      if (!next) { return; }
      next.hidden = false;
      var first = next.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
      if (!box.querySelector(":scope > [data-gj-empty-row][hidden]")) { add.remove(); }
    });
  });

  // Report form: check before sending what the server would refuse, so the chosen photos are kept.
  var form = document.querySelector("form[data-gj-report]");
  if (!form) { return; }
  var percent = form.querySelector("input[name=percent]");
  var reason = form.querySelector("textarea[name=decrease_reason]");
  var photos = form.querySelector("input[name=photos]");
  var last = percent && percent.dataset.lastPercent !== undefined ? parseFloat(percent.dataset.lastPercent) : null;

  function checkReason() {
    if (!percent || !reason || last === null) { return; }
    var lower = percent.value !== "" && parseFloat(percent.value) < last;
    reason.required = lower;
    reason.setCustomValidity(lower && !reason.value.trim() ? (form.dataset.msgReason || "") : "");
  }
  function checkPhotos() {
    if (!photos || !photos.files) { return; }
    var maxBytes = parseInt(photos.dataset.maxBytes, 10), maxCount = parseInt(photos.dataset.maxCount, 10);
    var message = "";
    if (photos.files.length > maxCount) { message = form.dataset.msgTooMany || ""; }
    Array.prototype.forEach.call(photos.files, function (file) {
      if (file.size > maxBytes) { message = form.dataset.msgTooBig || ""; }
      if (file.type && file.type !== "image/jpeg" && file.type !== "image/png") { message = form.dataset.msgType || ""; }
    });
    photos.setCustomValidity(message);
  }
  if (percent) { percent.addEventListener("input", checkReason); }
  if (reason) { reason.addEventListener("input", checkReason); }
  if (photos) { photos.addEventListener("change", checkPhotos); }
  checkReason();
})();
