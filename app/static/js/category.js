// Say at once, not only after saving, when a freelancer without an NTN picks a category that needs one.
(function () {
  var note = document.getElementById("category-ntn-note");
  var select = document.getElementById("category");
  if (!note || !select) return;
  var needing = note.dataset.ntnCategories.split(" ");
  select.addEventListener("change", function () {
    note.hidden = needing.indexOf(select.value) === -1;
    note.querySelector(".category-name").textContent = select.options[select.selectedIndex].text;
  });
})();
