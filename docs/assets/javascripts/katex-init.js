// Render the TeX that pymdownx.arithmatex (generic mode) leaves in the page: every element of
// class "arithmatex" holds \( ... \) (inline) or \[ ... \] (display). KaTeX is vendored in
// docs/assets/katex (tools/vendor_katex.py): no network is needed.
(function () {
  "use strict";
  function render() {
    if (typeof katex === "undefined") {
      return;
    }
    var nodes = document.querySelectorAll(".arithmatex");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var tex = el.textContent.trim();
      var display = false;
      if (tex.slice(0, 2) === "\\(" && tex.slice(-2) === "\\)") {
        tex = tex.slice(2, -2);
      } else if (tex.slice(0, 2) === "\\[" && tex.slice(-2) === "\\]") {
        tex = tex.slice(2, -2);
        display = true;
      }
      katex.render(tex, el, { displayMode: display, throwOnError: false, strict: "ignore" });
    }
    // rendering moved the text: a link to a section (page.html#anchor) lands on it again
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.scrollIntoView();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
