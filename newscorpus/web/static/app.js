// Optional niceties for the newscorpus pages; every page works without this file.
"use strict";
document.addEventListener("keydown", (event) => {
  // "/" focuses the query box, as on many search sites.
  const box = document.getElementById("q");
  if (event.key === "/" && box && document.activeElement !== box && !(event.target instanceof HTMLInputElement)) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});
document.addEventListener("submit", (event) => {
  // Removing something asks first.
  const button = event.submitter;
  if (button && button.classList.contains("danger") && !window.confirm("Remove it?")) {
    event.preventDefault();
  }
});
document.documentElement.dataset.enhanced = "true";
