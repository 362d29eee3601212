// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Show each priority slider's value next to it as it moves.
  for (const slider of document.querySelectorAll("input[type=range][data-output]")) {
    const output = document.getElementById(slider.dataset.output);
    if (!output) continue;
    const show = () => { output.value = slider.value; };
    slider.addEventListener("input", show);
    show();
  }
});
