// callplane admin console: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Show only the fields of the chosen mode (agent voice/SMS modes, connection model).
  // Without JavaScript every field is visible and the server ignores the ones that do not apply.
  function syncModes(form) {
    var chosen = {};
    form.querySelectorAll("[data-mode-select]").forEach(function (select) {
      chosen[select.getAttribute("data-mode-select")] = select.value;
    });
    form.querySelectorAll("input[type=radio][name]:checked").forEach(function (radio) {
      chosen[radio.name] = radio.value;
    });
    form.querySelectorAll("[data-mode]").forEach(function (field) {
      var wanted = field.getAttribute("data-mode").split(/\s+/);
      var show = wanted.some(function (pair) {
        var parts = pair.split(":");
        return chosen[parts[0]] === undefined || chosen[parts[0]] === parts[1];
      });
      field.hidden = !show;
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-mode]")) return;
    syncModes(form);
    form.addEventListener("change", function () { syncModes(form); });
  });

  // Copy buttons next to secrets shown once.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      });
    });
  });
  document.querySelectorAll("input[data-secret]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // A submitted form cannot be submitted twice by a double click.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[method=post] button[type=submit]").forEach(function (b) { b.disabled = false; });
  });
})();
