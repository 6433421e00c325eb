// Refuse a file over the upload cap before sending it. The server refuses it too, but a body far over the
// cap is cut off by the web server itself, which can only answer with a bare page; and a phone should not
// send 50 MB to be told no. The page works without this. The words are the input's, in the page's language:
// data-too-big ("{name} is {size}; the limit is {limit}. ...") and data-megabytes ("{n} MB").
(function () {
  // In a right-to-left page a file name or a size keeps its own direction inside the sentence (FSI ... PDI).
  var isolated = function (text) {
    return document.documentElement.dir === "rtl" ? "\u2068" + text + "\u2069" : text;
  };
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var max = Number(input.dataset.maxBytes);
    var megabytes = function (bytes) {
      return isolated(input.dataset.megabytes.replace("{n}", (bytes / 1048576).toFixed(1)));
    };
    var check = function () {
      var file = input.files && input.files[0];
      var values = file && {name: isolated(file.name), size: megabytes(file.size), limit: megabytes(max)};
      input.setCustomValidity(file && file.size > max
        ? input.dataset.tooBig.replace(/\{(name|size|limit)\}/g, function (_, name) { return values[name]; })
        : "");
    };
    input.addEventListener("change", check);
    input.form.addEventListener("submit", function (event) {
      check();
      if (!input.checkValidity()) { event.preventDefault(); input.reportValidity(); }
    });
  });
})();
