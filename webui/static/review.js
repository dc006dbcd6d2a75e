// The review queue's "Select all on this page": ticks or clears every group checkbox of the
// bulk form (checkboxes tied to it with the form attribute). Without script the boxes still work.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("select-all");
  if (!all) return;
  const boxes = () => document.querySelectorAll('input[type="checkbox"][name="group"][form="bulk"]');
  all.addEventListener("change", () => {
    boxes().forEach((box) => { box.checked = all.checked; });
  });
  document.addEventListener("change", (event) => {
    if (event.target !== all && event.target.matches('input[name="group"][form="bulk"]')) {
      const list = Array.from(boxes());
      all.checked = list.length > 0 && list.every((box) => box.checked);
    }
  });
});
