// Copy buttons: <button data-copy-target="ID" data-copied-label="…"> copies the text of #ID.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button || !navigator.clipboard) return;
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source) return;
    var text = Array.prototype.map.call(source.querySelectorAll("code"), function (el) {
      return el.textContent.trim();
    }).join("\n") || source.textContent.trim();
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = button.getAttribute("data-copied-label") || button.textContent;
    });
  });
})();
