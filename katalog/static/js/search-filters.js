// On a phone the filter panel starts folded, so the first results are on the first screen;
// it stays open when a filter is already applied (the visitor sees what narrows the list).
(function () {
  var box = document.getElementById("filter-box");
  if (!box || window.innerWidth >= 800) return;
  var applied = Array.prototype.some.call(box.querySelectorAll("select, input[type=text], input[type=checkbox], input[type=hidden]:not([name=q])"), function (el) {
    return el.type === "checkbox" ? el.checked : el.value !== "";
  });
  if (!applied) box.open = false;
})();
