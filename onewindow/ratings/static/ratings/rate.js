// Shows the reasons offered for the chosen level and disables the others, so that a reason of
// another level is never posted. Without JavaScript every group stays visible.
(function () {
  function sync(form) {
    var chosen = form.querySelector("input[name=level]:checked");
    var value = chosen ? chosen.value : "";
    form.querySelectorAll(".tagset").forEach(function (group) {
      var on = value !== "" && group.dataset.levels.split(" ").indexOf(value) >= 0;
      group.hidden = !on;
      group.querySelectorAll("input").forEach(function (input) { input.disabled = !on; });
    });
    var hint = form.querySelector(".tag-hint");
    if (hint) hint.hidden = value !== "";
  }
  function syncAll() { document.querySelectorAll("form.rate-form").forEach(sync); }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "level" && e.target.form) sync(e.target.form);
  });
  document.addEventListener("DOMContentLoaded", syncAll);
  document.addEventListener("htmx:afterSwap", syncAll);
})();
