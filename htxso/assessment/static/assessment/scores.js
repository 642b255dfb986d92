/* The classification form: the total and the grade computed as the manager types (the rule
   set's grades, rendered by the server into #grade-rules; the server computes the same on
   save). Scores outside 0..max are left out and marked. */
(function () {
  "use strict";
  var form = document.getElementById("scores");
  var rules = document.getElementById("grade-rules");
  if (!form || !rules) return;
  var grades = JSON.parse(rules.textContent);
  var none = document.currentScript ? document.currentScript.dataset.none : "";
  var total = document.getElementById("total");
  var grade = document.getElementById("grade");
  var exclusion = document.getElementById("exclusion");
  function update() {
    var sum = 0;
    form.querySelectorAll("[data-score]").forEach(function (input) {
      var text = input.value.trim();
      var n = Number(text);
      var ok = text === "" || (/^\d+$/.test(text) && n <= Number(input.dataset.max));
      input.classList.toggle("is-invalid", !ok);
      if (ok && text !== "") sum += n;
    });
    if (exclusion && exclusion.value) {
      total.textContent = "0";
      grade.textContent = none;
      return;
    }
    total.textContent = String(sum);
    for (var i = 0; i < grades.length; i++) {
      if (sum >= grades[i].min) { grade.textContent = grades[i].name; break; }
    }
  }
  form.addEventListener("input", update);
  if (exclusion) exclusion.addEventListener("change", update);
})();
