// Show only the identity fields for the chosen kind (firm: NTN/SECP; freelancer: CNIC/profile URL).
(function () {
  var radios = document.querySelectorAll('input[name="kind"]');
  var isp = document.getElementById("isp_name");
  if (isp) isp.setAttribute("list", "isp-list");
  if (!radios.length) return;
  var sync = function () {
    var chosen = document.querySelector('input[name="kind"]:checked');
    document.querySelectorAll("[data-kind]").forEach(function (el) {
      el.hidden = chosen ? el.dataset.kind !== chosen.value : false;
      // A hidden field is not sent either: a CNIC typed before switching to "firm" must not stop the save
      // with an error on a field the applicant cannot see. Switching back shows it again, as typed.
      el.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = el.hidden; });
    });
  };
  radios.forEach(function (r) { r.addEventListener("change", sync); });
  sync();
})();
