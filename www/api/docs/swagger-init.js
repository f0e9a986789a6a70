// Swagger UI for the Heart Monitor API (/api/docs/): renders the OpenAPI
// document nginx serves at /api/schema/.  A file of its own, since the
// site's Content-Security-Policy allows no inline script.
"use strict";
(function () {
	var UNSAFE = { POST: 1, PUT: 1, PATCH: 1, DELETE: 1 };

	// The csrftoken cookie that sign-in sets, or null.
	function csrfToken() {
		var m = document.cookie.match(/(?:^|;\s*)csrftoken=([A-Za-z0-9]+)/);
		return m ? m[1] : null;
	}

	window.ui = SwaggerUIBundle({
		url: "/api/schema/",
		dom_id: "#swagger-ui",
		deepLinking: true,
		// Nothing leaves the site: no online validator badge.
		validatorUrl: null,
		// "Try it out" runs on this origin, so a browser signed in
		// through POST /api/auth/signin/ sends its access cookie by
		// itself; an unsafe request also needs the csrftoken cookie
		// copied into X-CSRFToken, as every front-end does.  (With
		// "Authorize" and a bearer token none of this matters.)
		requestInterceptor: function (req) {
			var token = csrfToken();
			var method = (req.method || "GET").toUpperCase();
			if (UNSAFE[method] && token !== null &&
			    !req.headers["X-CSRFToken"])
				req.headers["X-CSRFToken"] = token;
			return req;
		}
	});
})();
