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
document.addEventListener("click", async (event) => {
  // "and N more outlets" lists the story's other copies in place (without this script, it opens their search).
  const link = event.target instanceof Element ? event.target.closest("a.copies[data-cluster]") : null;
  if (!link || link.dataset.open) {
    return;
  }
  event.preventDefault();
  const params = new URLSearchParams({ cluster: link.dataset.cluster, all_copies: "true", page_size: "50" });
  const response = await fetch(`/api/search?${params}`, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    window.location.href = link.href;
    return;
  }
  const list = document.createElement("ul");
  list.className = "copy-list";
  for (const hit of (await response.json()).hits) {
    if (String(hit.id) === link.dataset.id) {
      continue;
    }
    const item = document.createElement("li");
    const anchor = document.createElement("a");
    anchor.href = `/documents/${encodeURIComponent(hit.id)}`;
    anchor.textContent = hit.title || hit.url;  // text, never markup
    item.append(anchor, ` ${hit.source || ""} ${(hit.published || "").slice(0, 10)}`);
    list.append(item);
  }
  link.dataset.open = "true";
  link.after(list);
});
document.documentElement.dataset.enhanced = "true";
