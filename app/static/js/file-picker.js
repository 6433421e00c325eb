// A file input's own button and "No file chosen" are drawn by the browser in the browser's language, not
// the page's: an Urdu page on an English phone would show English. Where this runs, the input is hidden
// (still focusable, still the thing the form sends) behind a button and a file name in the page's words,
// data-choose and data-none. Without it the browser's own control shows, and works.
(function () {
  document.querySelectorAll("input[type=file][data-choose][id]").forEach(function (input) {
    var picker = document.createElement("span");
    picker.className = "file-picker";
    var choose = document.createElement("label");
    choose.htmlFor = input.id;
    choose.className = "button button-secondary button-small";
    choose.textContent = input.dataset.choose;
    var chosen = document.createElement("span");
    chosen.className = "file-chosen";
    chosen.dir = "auto";  // a Latin file name in an Urdu page keeps its own order
    var show = function () {
      var file = input.files && input.files[0];
      chosen.textContent = file ? file.name : input.dataset.none;
      chosen.classList.toggle("muted", !file);
    };
    picker.append(choose, chosen);
    input.after(picker);
    input.classList.add("file-picker-input");
    input.addEventListener("change", show);
    show();
  });
})();
