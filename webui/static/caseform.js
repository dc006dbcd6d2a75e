// Case form: "Add another ..." adds a blank row in the page instead of a round trip.
// Without JavaScript the same button asks the server for the form with one more row.
"use strict";
(function () {
  function renumber(row, number) {
    row.dataset.row = String(number);
    var legend = row.querySelector("legend");
    if (legend) legend.textContent = legend.textContent.replace(/\d+\s*$/, String(number));
    row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
      if (el.name) el.name = el.name.replace(/^([a-z_]+)\[\d+\]/, "$1[" + number + "]");
      if (el.id) el.id = el.id.replace(/^f-([a-z]+)-\d+/, "f-$1-" + number);
      if (el.htmlFor) el.htmlFor = el.htmlFor.replace(/^f-([a-z]+)-\d+/, "f-$1-" + number);
      var described = el.getAttribute("aria-describedby");
      if (described) {
        var kept = described.split(" ").filter(function (id) { return !/-error$/.test(id); });
        kept = kept.map(function (id) { return id.replace(/^f-([a-z]+)-\d+/, "f-$1-" + number); });
        if (kept.length) el.setAttribute("aria-describedby", kept.join(" "));
        else el.removeAttribute("aria-describedby");
      }
    });
  }

  function blank(row) {
    row.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    row.querySelectorAll("input, textarea, select").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      if (el.type === "checkbox") el.checked = false;
      else if (el.tagName === "SELECT") el.selectedIndex = 0;
      else el.value = "";
    });
  }

  // After a refused submission, move focus to the list of problems (it links to each field).
  var problems = document.getElementById("problems");
  if (problems) problems.focus();

  document.querySelectorAll("button.add-row").forEach(function (button) {
    button.addEventListener("click", function (event) {
      var rows = document.querySelector('.rows[data-part="' + button.value + '"]');
      var last = rows && rows.lastElementChild;
      if (!last) return; // let the server add the row
      event.preventDefault();
      var copy = last.cloneNode(true);
      var number = Number(last.dataset.row || rows.children.length) + 1;
      blank(copy);
      renumber(copy, number);
      rows.appendChild(copy);
      var first = copy.querySelector("input, textarea, select");
      if (first) first.focus();
    });
  });
})();
