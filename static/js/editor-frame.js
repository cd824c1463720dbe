// A preview frame of the check page (editor/frame.html) that opens at the article, not at the top of the page:
// at 200 % and 400 % the reading toolbar alone is taller than the frame, so the preview showed nothing of the
// text. The frame's own window is scrolled, not the element brought into view: a fragment (#reader-article)
// or scrollIntoView would scroll the check page too, to the frame, as browsers bring a framed target into
// view in every scrolling ancestor. Without scripts the frame opens at the top, taller than the others.
// A classic script, loaded only by such frames (its data-start names the element to open at).
(() => {
  const target = document.getElementById(document.currentScript?.dataset.start || "");
  if (!target) return;
  let placed = -1;
  const place = () => {
    // Once the editor has scrolled the frame, it stays where they put it.
    if (placed !== -1 && window.scrollY !== placed) return;
    window.scrollTo(0, target.getBoundingClientRect().top + window.scrollY);
    placed = window.scrollY;
  };
  place();
  // Again once the fonts and images are in: they move the article down.
  window.addEventListener("load", place, { once: true });
})();
