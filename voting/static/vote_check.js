// The ballot page's guard, in ES5 so that every engine runs it, also where vote.js cannot:
// on an engine older than the owner's pages support (README, "Phones and browsers") it says so
// and keeps the notice's secret in the address bar for a newer browser ("open in browser");
// where vote.js failed to load or run, it says so and takes the secret out of the address bar;
// where nothing on the page signs (the vote is not open), it takes the secret out at once.
(function () {
  "use strict";
  var modern = "noModule" in HTMLScriptElement.prototype && typeof BigInt === "function" &&
    typeof globalThis === "object" && typeof Promise.allSettled === "function" &&
    typeof TextEncoder === "function" && !!window.crypto && typeof crypto.getRandomValues === "function";
  var syntaxRefused = false;

  function showStep(id) {
    var steps = document.querySelectorAll(".vote-step");
    for (var i = 0; i < steps.length; i++) steps[i].hidden = steps[i].id !== id;
  }

  function forgetSecret() {
    if (location.hash && window.history && history.replaceState) {
      history.replaceState(null, "", location.pathname + location.search);
    }
  }

  // Nothing here signs (vote.js is not loaded): the secret has no use, and goes before it can
  // linger in the history, a screenshot or a shared link.
  if (!document.getElementById("vote-data")) return forgetSecret();

  // A module this engine cannot parse reports a SyntaxError here and never runs.
  window.addEventListener("error", function (event) {
    if (event.error && event.error.name === "SyntaxError") syntaxRefused = true;
  }, true);

  // Deferred, this runs once the page is parsed and before vote.js, which stops where this
  // marked the engine too old.
  if (!modern) {
    document.documentElement.setAttribute("data-engine", "too-old");
    showStep("step-old-browser");
  }

  // Module scripts run before "load"; vote.js marks the page when it starts.
  window.addEventListener("load", function () {
    var root = document.documentElement;
    if (root.getAttribute("data-vote-script") || root.getAttribute("data-engine")) return;
    if (syntaxRefused) return showStep("step-old-browser");
    forgetSecret();
    showStep("step-script-failed");
  });
})();
