// Redoc for the Heart Monitor API (/api/redoc/): renders the OpenAPI
// document nginx serves at /api/schema/.  A file of its own, since the
// site's Content-Security-Policy allows no inline script.
"use strict";
Redoc.init("/api/schema/", {
	expandResponses: "200,201",
	pathInMiddlePanel: true
}, document.getElementById("redoc"));
