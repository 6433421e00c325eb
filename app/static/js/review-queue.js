// Keyboard-first queue: j/k move the current row, x ticks its box, Enter opens it, b batches the ticked rows.
// A row already in a pending batch has no box: x leaves it alone (it cannot be batched twice).
// Only an enhancement: every action is also a link, a checkbox or a button that works without JavaScript.
(function () {
  "use strict";
  var table = document.getElementById("queue-table");
  var form = document.getElementById("batch-form");
  if (!table || !form) { return; }
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var current = -1;

  // Keys typed into a text box or a list are the reviewer's text, not shortcuts; a ticked checkbox is not.
  var TEXT_INPUTS = /^(text|search|email|number|password|tel|url|date|datetime-local|month|time|week)$/;
  function typing(target) {
    var tag = target.tagName;
    return target.isContentEditable || tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && TEXT_INPUTS.test(target.type));
  }

  function move(index, keepFocus) {
    if (!rows.length) { return; }
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0) {
      rows[current].classList.remove("is-current");
      rows[current].removeAttribute("aria-current");
    }
    current = index;
    var row = rows[current];
    row.classList.add("is-current");
    row.setAttribute("aria-current", "true");
    if (!keepFocus) {
      row.focus();  // the row is tabindex=-1: screen readers announce it, the outline shows it
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function checkbox(row) { return row.querySelector("input[type=checkbox]"); }

  function markSelected(row) { row.classList.toggle("is-selected", Boolean(checkbox(row) && checkbox(row).checked)); }

  rows.forEach(function (row, index) {
    if (checkbox(row)) { checkbox(row).addEventListener("change", function () { markSelected(row); }); }
    row.addEventListener("click", function (event) {
      // A click on the row's link or checkbox keeps its focus there; anywhere else the row takes it.
      move(index, Boolean(event.target.closest("a, input, label")));
    });
    markSelected(row);
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    var row = rows[current];
    switch (event.key) {
      case "j": move(current + 1); break;
      case "k": move(current < 0 ? 0 : current - 1); break;
      case "x":
        if (!row) { move(0); row = rows[current]; }
        var box = checkbox(row);
        if (!box) { break; }
        box.checked = !box.checked;
        markSelected(row);
        break;
      case "Enter":
        // Only when a row, not a link or button, has the focus: Enter keeps its usual meaning elsewhere.
        if (!row || document.activeElement !== row) { return; }
        window.location.href = row.dataset.href;
        break;
      case "b":
        var button = document.getElementById("batch-selected");
        if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
        break;
      default: return;
    }
    event.preventDefault();
  });
}());
