/* Conditional fields of a form_schema form: a field with `when` is shown only while the field it
   depends on has the given value (the server ignores it otherwise). Without JavaScript every field
   stays visible, and the server still validates correctly. */
(function () {
  function valueOf(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    if (checked) return checked.value;
    var el = form.querySelector('[name="' + name + '"]:not([type=radio])');
    return el ? el.value : "";
  }
  function refresh(form) {
    form.querySelectorAll("[data-when-field]").forEach(function (box) {
      var show = valueOf(form, box.dataset.whenField) === box.dataset.whenEquals;
      box.hidden = !show;
    });
  }
  function init() {
    document.querySelectorAll(".ow-form").forEach(function (root) {
      var form = root.closest("form") || root;
      refresh(form);
      form.addEventListener("change", function () { refresh(form); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
