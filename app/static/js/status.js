// While validation runs, poll the state and reload once it changes. The page works without this.
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
          label.textContent = "Checked " + p.entries + " of " + p.of_entries + (p.of_entries === 1 ? " entry…" : " entries…");
        }
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  };
  setTimeout(poll, 1500);
})();
