// "Send a new code" waits until the limits allow another SMS: the button stays disabled while the note beside it
// counts down, then it comes back. Without JavaScript the page says at what time, and a reload then offers it.
// The words are the page's, in its language: the note's data-countdown ("... in {wait}."), data-second,
// data-seconds and data-minutes ("{n} seconds").
(function () {
  var words = function (note, seconds) {
    if (seconds < 120) return (seconds === 1 ? note.dataset.second : note.dataset.seconds).replace("{n}", seconds);
    return note.dataset.minutes.replace("{n}", Math.ceil(seconds / 60));
  };
  document.querySelectorAll("button[data-resend-in]").forEach(function (button) {
    var seconds = parseInt(button.dataset.resendIn, 10);
    if (!(seconds > 0)) return;
    var note = document.getElementById(button.getAttribute("aria-describedby"));
    var until = Date.now() + seconds * 1000;
    button.disabled = true;
    var tick = function () {
      var left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        button.disabled = false;
        if (note) note.textContent = "";
        return;
      }
      if (note) note.textContent = note.dataset.countdown.replace("{wait}", words(note, left));
      setTimeout(tick, 1000);
    };
    tick();
  });
})();
