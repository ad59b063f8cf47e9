// Signature pad: draw with finger, pen or mouse on a <canvas data-signature="field-name">; on
// submit the drawing is written into the hidden input of that name as a PNG data URL (empty when
// nothing was drawn, so the server can say "please sign").
(function () {
  function setUp(canvas) {
    var form = canvas.closest("form");
    var field = form.querySelector('input[name="' + canvas.dataset.signature + '"]');
    var ctx = canvas.getContext("2d");
    var drawn = false, down = false, last = null;
    function size() {
      var ratio = window.devicePixelRatio || 1;
      var w = canvas.clientWidth, h = canvas.clientHeight;
      canvas.width = w * ratio; canvas.height = h * ratio;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
    }
    function pos(e) {
      var r = canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    }
    canvas.addEventListener("pointerdown", function (e) {
      down = true; last = pos(e); canvas.setPointerCapture(e.pointerId); e.preventDefault();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!down) return;
      var p = pos(e);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p; drawn = true; e.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) {
      canvas.addEventListener(t, function () { down = false; });
    });
    var clear = form.querySelector('[data-clear="' + canvas.dataset.signature + '"]');
    if (clear) clear.addEventListener("click", function () { ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; });
    form.addEventListener("submit", function () { field.value = drawn ? canvas.toDataURL("image/png") : ""; });
    size();
  }
  document.querySelectorAll("canvas[data-signature]").forEach(setUp);
})();
