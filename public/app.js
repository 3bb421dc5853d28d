/*
 * The only script of the screens, served from /static/ (the Content-Security-Policy allows no
 * inline script). It only enhances: every page works without it.
 *
 * 1. A filter form marked `data-apply-on-change` applies a choice as soon as it is made (a list
 *    chosen from, a search box left or submitted with Enter); its button, needed without
 *    JavaScript, is then hidden.
 * 2. A `.table-scroll` frame says "scroll →" only when its table is wider than the page
 *    (`data-overflows`), and says nothing when it fits (`data-fits`).
 */
'use strict';

document.documentElement.classList.add('js');

function applyOnChange(form) {
  const button = form.querySelector('[data-apply-button]');
  if (button) button.closest('.filters__apply').hidden = true;
  form.addEventListener('change', (event) => {
    if (!(event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement)) return;
    // Paging restarts with new filters: a cursor belongs to the old ones.
    form.requestSubmit();
  });
}

function markOverflow() {
  for (const frame of document.querySelectorAll('.table-scroll')) {
    const overflows = frame.scrollWidth > frame.clientWidth + 1;
    frame.toggleAttribute('data-overflows', overflows);
    frame.toggleAttribute('data-fits', !overflows);
  }
}

for (const form of document.querySelectorAll('form[data-apply-on-change]')) applyOnChange(form);
markOverflow();
let resizeTimer = 0;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(markOverflow, 100);
});
