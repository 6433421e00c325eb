// The language switch (a[data-language-switch] in the header) reloads the same page in the other language.
// What was typed in the page's forms goes along: just before the switch is followed, the fields that differ
// from what the page came with are kept in sessionStorage under the page's path; when the page in the other
// language opens (same path), they are put back into the same fields (the form's index and the field's name)
// and the kept copy is removed. Never kept: passwords, files, hidden fields (the CSRF token among them).
(function () {
  "use strict";
  var KEY = "raasta.typed:" + window.location.pathname;
  var MAX_AGE_MS = 5 * 60 * 1000; // a copy left behind by a switch that never arrived is not restored later
  var SKIPPED_TYPES = ["password", "file", "hidden", "submit", "button", "reset", "image"];

  function kept(element) {
    if (!element.name || element.disabled || /csrf/i.test(element.name)) return false;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && SKIPPED_TYPES.indexOf((element.type || "text").toLowerCase()) === -1;
  }

  function isChoice(element) {
    return element.type === "checkbox" || element.type === "radio";
  }

  // The fields of `form` that may be kept, each with its name and its place among the fields of that name.
  function fieldsOf(form) {
    var seen = {};
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) return;
      var nth = seen[element.name] = (seen[element.name] || 0) + 1;
      fields.push({ element: element, name: element.name, nth: nth - 1 });
    });
    return fields;
  }

  function changed(element) {
    if (isChoice(element)) return element.checked !== element.defaultChecked;
    if (element.tagName === "SELECT") {
      return Array.prototype.some.call(element.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return element.value !== element.defaultValue;
  }

  function valueOf(element) {
    if (isChoice(element)) return element.checked;
    if (element.tagName === "SELECT") {
      return Array.prototype.filter.call(element.options, function (option) { return option.selected; })
        .map(function (option) { return option.value; });
    }
    return element.value;
  }

  function save() {
    var forms = [];
    Array.prototype.forEach.call(document.forms, function (form, index) {
      var fields = fieldsOf(form).filter(function (field) { return changed(field.element); })
        .map(function (field) {
          return { name: field.name, nth: field.nth, value: valueOf(field.element) };
        });
      if (fields.length) forms.push({ index: index, fields: fields });
    });
    try {
      if (forms.length) {
        window.sessionStorage.setItem(KEY, JSON.stringify({ saved: Date.now(), forms: forms }));
      } else {
        window.sessionStorage.removeItem(KEY);
      }
    } catch (error) { /* storage full or refused: the switch works all the same */ }
  }

  function put(element, value) {
    if (isChoice(element)) {
      element.checked = value === true;
    } else if (element.tagName === "SELECT") {
      var values = [].concat(value);
      Array.prototype.forEach.call(element.options, function (option) {
        option.selected = values.indexOf(option.value) !== -1;
      });
    } else {
      element.value = value;
    }
    // Scripts that show or hide parts of a form by a field's value (category, profile) see the change.
    element.dispatchEvent(new Event("input", { bubbles: true }));
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function restore() {
    var copy;
    try {
      copy = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
      window.sessionStorage.removeItem(KEY);
    } catch (error) {
      return;
    }
    if (!copy || !copy.forms || Date.now() - copy.saved > MAX_AGE_MS) return;
    copy.forms.forEach(function (saved) {
      var form = document.forms[saved.index];
      if (!form) return;
      var fields = fieldsOf(form);
      saved.fields.forEach(function (field) {
        var matching = fields.filter(function (f) { return f.name === field.name && f.nth === field.nth; })[0];
        if (matching) put(matching.element, field.value);
      });
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-language-switch]");
    // A click that opens another tab or window leaves this page (and its typing) where it is.
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
        || event.altKey) return;
    save();
  });

  restore();
})();
