// "Add another endpoint / number / account" without a round trip: clone the list's last row with fresh names.
// Each such button names its list: data-rows (the rows' container id), data-prefix (the fields' name prefix,
// e.g. "endpoints") and data-legend (each row's legend in the page's language, "{n}" standing for its number, e.g.
// "Endpoint {n}"). Without JavaScript the same button posts the form and the server adds the row.
(function () {
  document.querySelectorAll("button[data-rows], input[data-rows]").forEach(function (button) {
    var rows = document.getElementById(button.dataset.rows);
    if (!rows) return;
    var prefix = new RegExp(button.dataset.prefix + "-\\d+-", "g");
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var all = rows.querySelectorAll(":scope > fieldset");
      var last = all[all.length - 1];
      var index = all.length;
      var clone = last.cloneNode(true);
      var legend = button.dataset.legend;
      clone.querySelector("legend").textContent = legend.indexOf("{n}") === -1
        ? legend + " " + (index + 1) : legend.replace("{n}", index + 1);
      clone.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (el) {
        ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(prefix, button.dataset.prefix + "-" + index + "-"));
        });
        if (el.tagName === "INPUT") el.value = "";
        el.removeAttribute("aria-invalid");
      });
      clone.querySelectorAll(".error-text").forEach(function (el) { el.remove(); });
      clone.querySelectorAll(".field-invalid").forEach(function (el) { el.classList.remove("field-invalid"); });
      rows.appendChild(clone);
      clone.querySelector("input").focus();
    });
  });
})();
