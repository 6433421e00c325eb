// The header's Menu (a <details>, which opens and closes without this): Escape closes it and puts the focus
// back on its button, and a click or a focus elsewhere on the page closes it, as a menu panel is expected to.
(function () {
  var menu = document.querySelector("details.menu");
  if (!menu) return;
  var button = menu.querySelector("summary");
  var close = function () { menu.open = false; };
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      close();
      button.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (menu.open && !menu.contains(event.target)) close();
  });
  document.addEventListener("focusin", function (event) {
    if (menu.open && !menu.contains(event.target)) close();
  });
})();
