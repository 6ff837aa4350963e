// The search box's suggestions (htmx fills #search-suggestions with links, role=option).
// This script only shows or hides the list and lets the arrow keys, Enter and Escape work on it;
// without it the links still work, and without JavaScript the box is a plain form.
(function () {
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-suggestions");
  if (!input || !list) return;
  var active = -1;

  function options() {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
  }
  function show(open) {
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) select(-1);
  }
  function select(index) {
    var all = options();
    active = index;
    all.forEach(function (el, i) {
      el.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0 && all[index]) {
      input.setAttribute("aria-activedescendant", all[index].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== list) return;
    active = -1;
    show(options().length > 0 && input.value.trim().length > 0);
  });
  input.addEventListener("keydown", function (event) {
    var all = options();
    if (list.hidden || !all.length) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      select((active + 1) % all.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      select(active <= 0 ? all.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(all[active].href);
    } else if (event.key === "Escape") {
      show(false);
    }
  });
  input.addEventListener("input", function () {
    if (!input.value.trim()) show(false);
  });
  document.addEventListener("click", function (event) {
    if (event.target !== input && !list.contains(event.target)) show(false);
  });
})();
