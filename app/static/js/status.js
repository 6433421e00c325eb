// While validation runs, poll the state and reload once it changes. The page works without this. The progress is
// said in the page's words: the label's data-one and data-other ("Checked {done} of {of} entries…").
(function () {
  var box = document.getElementById("status");
  if (!box || box.dataset.state !== "validating") return;
  var label = box.querySelector(".progress-label");
  var poll = function () {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && body.state !== "validating") { window.location.reload(); return; }
        var p = body && body.progress;
        if (p && p.of_entries && label) {
          label.textContent = (p.of_entries === 1 ? label.dataset.one : label.dataset.other)
            .replace("{done}", p.entries).replace("{of}", p.of_entries);
        }
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  };
  setTimeout(poll, 1500);
})();
