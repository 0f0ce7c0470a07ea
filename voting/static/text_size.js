/* Large text: the header's 「大字」 button, remembered across visits and pages.
   A classic script loaded in <head> without defer, so a remembered choice applies before the first
   paint and the page never jumps. Plain old syntax: it must run on the oldest phones owners use.
   Where the browser refuses storage (some private modes), the choice holds for this page only. */
(function () {
  "use strict";
  var STORAGE_KEY = "gongzhi.large-text";
  var LARGE = "large-text";
  var root = document.documentElement;

  function remembered() {
    try {
      return window.localStorage.getItem(STORAGE_KEY) === "1";
    } catch (refused) {
      return false;
    }
  }

  function remember(large) {
    try {
      if (large) {
        window.localStorage.setItem(STORAGE_KEY, "1");
      } else {
        window.localStorage.removeItem(STORAGE_KEY);
      }
    } catch (refused) {
      // Storage refused: the setting stays with this page.
    }
  }

  root.classList.toggle(LARGE, remembered());

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("text-size");
    if (!button) {
      return;
    }
    button.setAttribute("aria-pressed", String(root.classList.contains(LARGE)));
    button.addEventListener("click", function () {
      var large = !root.classList.contains(LARGE);
      root.classList.toggle(LARGE, large);
      button.setAttribute("aria-pressed", String(large));
      remember(large);
    });
    button.hidden = false; // only now that it works: without JavaScript it never shows
  });
})();
