/* Fællesskabsportalen's widget: put a list of nearby communities on any site.
 *
 *   <script src="https://faellesskabsportalen.dk/static/js/widget.js"
 *           data-where="Vejle" data-target-group="aeldre" data-antal="5" async></script>
 *
 * Inserts an <iframe> right after this tag, pointing at /widget on the portal the script
 * came from. Only known data-* attributes are passed on. No cookies, no globals, and no
 * requests other than the frame itself. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) {
    return;
  }
  // data-* attribute -> query parameter of /widget
  var PARAMS = {
    where: "where",
    lat: "lat",
    lon: "lon",
    radius: "radius",
    targetGroup: "target_group",
    activity: "activity",
    q: "q",
    antal: "antal",
    lang: "lang"
  };
  var MAX_LENGTH = 200;

  var origin = new URL(script.src, document.baseURI).origin;
  var query = [];
  Object.keys(PARAMS).forEach(function (key) {
    var value = script.dataset[key];
    if (value) {
      query.push(PARAMS[key] + "=" + encodeURIComponent(value.slice(0, MAX_LENGTH)));
    }
  });
  var english = script.dataset.lang === "en";
  var place = (script.dataset.where || "").trim().slice(0, MAX_LENGTH);
  var title;
  if (place) {
    title = (english ? "Communities near " : "Fællesskaber nær ") + place;
  } else {
    title = english ? "Communities on Fællesskabsportalen" : "Fællesskaber på Fællesskabsportalen";
  }
  var height = parseInt(script.dataset.height, 10);
  if (!(height >= 200 && height <= 2000)) {
    height = 520;
  }

  var frame = document.createElement("iframe");
  frame.src = origin + "/widget" + (query.length ? "?" + query.join("&") : "");
  frame.title = title;
  frame.setAttribute("loading", "lazy");
  frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
  frame.setAttribute("width", "100%");
  frame.setAttribute("height", String(height));
  frame.style.width = "100%";
  frame.style.maxWidth = "100%";
  frame.style.height = height + "px";
  frame.style.border = "1px solid #d0d7de";
  frame.style.borderRadius = "6px";
  frame.style.display = "block";
  script.parentNode.insertBefore(frame, script.nextSibling);
})();
