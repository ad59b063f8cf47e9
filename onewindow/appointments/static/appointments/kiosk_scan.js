// Kiosk check-in: a hardware scanner types the booking code into the focused field and presses
// Enter (no script needed). Where the browser has the BarcodeDetector API, the kiosk's camera can
// read the QR code as well; nothing is loaded from elsewhere.
(function () {
  var form = document.getElementById("checkin-form");
  var input = document.getElementById("code");
  var box = document.querySelector(".kiosk-camera");
  if (!form || !input) return;
  // The scanner's keystrokes must land in the field even after a tap elsewhere on the screen.
  document.addEventListener("click", function (e) { if (e.target.tagName !== "BUTTON" && e.target.tagName !== "A") input.focus(); });
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !box) return;
  box.hidden = false;
  var video = document.getElementById("camera");
  document.getElementById("camera-start").addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var timer = setInterval(function () {
        detector.detect(video).then(function (codes) {
          if (!codes.length) return;
          clearInterval(timer);
          stream.getTracks().forEach(function (t) { t.stop(); });
          input.value = codes[0].rawValue.trim();
          form.submit();
        }).catch(function () {});
      }, 300);
    }).catch(function () { box.hidden = true; });
  });
})();
