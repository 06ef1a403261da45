// The entry page: keep the time left to the deadline current. Everything else works without this file.
(function () {
  "use strict";
  var box = document.querySelector("[data-deadline]");
  if (!box) return;
  var deadline = new Date(box.getAttribute("data-deadline"));
  var text = box.querySelector(".time-left-text");
  var thai = document.documentElement.lang !== "en";
  function render() {
    var minutes = Math.max(0, Math.floor((deadline - new Date()) / 60000));
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var parts = [];
    if (days) parts.push(days + (thai ? " วัน" : (days === 1 ? " day" : " days")));
    if (days || hours) parts.push(hours + (thai ? " ชั่วโมง" : (hours === 1 ? " hour" : " hours")));
    if (!days) parts.push(mins + (thai ? " นาที" : (mins === 1 ? " minute" : " minutes")));
    text.textContent = parts.join(" ");
    if (minutes === 0) window.location.reload();
  }
  window.setInterval(render, 30000);
})();
