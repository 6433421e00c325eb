// Refuse a file over the upload cap before sending it. The server refuses it too, but a body far over the
// cap is cut off by the web server itself, which can only answer with a bare page; and a phone should not
// send 50 MB to be told no. The page works without this.
(function () {
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var max = Number(input.dataset.maxBytes);
    var megabytes = function (bytes) { return (bytes / 1048576).toFixed(1) + " MB"; };
    var check = function () {
      var file = input.files && input.files[0];
      input.setCustomValidity(file && file.size > max
        ? file.name + " is " + megabytes(file.size) + "; the limit is " + megabytes(max) +
          ". Scan at a lower resolution or save as a smaller PDF, then choose it again."
        : "");
    };
    input.addEventListener("change", check);
    input.form.addEventListener("submit", function (event) {
      check();
      if (!input.checkValidity()) { event.preventDefault(); input.reportValidity(); }
    });
  });
})();
