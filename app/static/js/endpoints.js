// "Add another endpoint" without a round trip: clone the last row with fresh names. Without
// JavaScript the same button posts the form and the server adds the row.
(function () {
  var button = document.getElementById("add_endpoint");
  var rows = document.querySelector(".endpoint-rows");
  if (!button || !rows) return;
  button.addEventListener("click", function (event) {
    event.preventDefault();
    var all = rows.querySelectorAll(".endpoint-row");
    var last = all[all.length - 1];
    var index = all.length;
    var clone = last.cloneNode(true);
    clone.querySelector("legend").textContent = "Endpoint " + (index + 1);
    clone.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (el) {
      ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/endpoints-\d+-/g, "endpoints-" + index + "-"));
      });
      if (el.tagName === "INPUT") el.value = "";
      el.removeAttribute("aria-invalid");
    });
    clone.querySelectorAll(".error-text").forEach(function (el) { el.remove(); });
    clone.querySelectorAll(".field-invalid").forEach(function (el) { el.classList.remove("field-invalid"); });
    rows.appendChild(clone);
    clone.querySelector("input").focus();
  });
})();
