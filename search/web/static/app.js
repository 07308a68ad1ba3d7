// assetscout pages: progressive enhancement only. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    // sort: apply on change (the Sort button is for browsers without script)
    var sort = document.getElementById("sort");
    if (sort) sort.addEventListener("change", function () { sort.form.submit(); });

    // compare: 2 to 5 ticked results
    var form = document.getElementById("compare-form");
    if (form) {
      var button = document.getElementById("compare-button"), hint = document.getElementById("compare-hint");
      var update = function () {
        var n = form.querySelectorAll("input[name=ids]:checked").length;
        button.disabled = n < 2 || n > 5;
        button.textContent = n ? "Compare " + n + " selected" : "Compare selected";
        hint.textContent = n > 5 ? "at most 5 at a time" : (n < 2 ? "tick 2 to 5 results" : "");
      };
      form.addEventListener("change", update);
      update();
    }

    // table upload: refuse an oversized file before sending it
    var upload = document.getElementById("upload-form");
    if (upload) {
      var input = document.getElementById("upload-file"), err = document.getElementById("upload-error");
      var max = parseInt(upload.getAttribute("data-max-bytes"), 10);
      upload.addEventListener("submit", function (ev) {
        var f = input.files && input.files[0];
        if (f && max && f.size > max) {
          ev.preventDefault();
          err.textContent = f.name + " is " + f.size.toLocaleString() + " bytes; at most " + max.toLocaleString() + " bytes can be uploaded.";
          err.classList.remove("hidden");
        }
      });
    }
  });
})();
