// The reset link is /reset-password/<uidb64>/<token>/: the form posts the
// new password to the API's confirm endpoint for the same uid and token.
"use strict";
(function () {
	var parts = window.location.pathname.split("/").filter(Boolean);
	var form = document.getElementById("reset");
	var result = document.getElementById("result");

	function show(text, ok) {
		result.textContent = text;
		result.className = ok ? "ok" : "error";
	}

	if (parts.length !== 3 || parts[0] !== "reset-password") {
		form.hidden = true;
		show("This link is not complete: open the whole link from the mail.", false);
		return;
	}
	form.addEventListener("submit", function (ev) {
		ev.preventDefault();
		var url = "/api/auth/confirm-reset-password/" +
		    encodeURIComponent(parts[1]) + "/" + encodeURIComponent(parts[2]) + "/";
		fetch(url, {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			credentials: "omit",
			body: JSON.stringify({
				password: form.password.value,
				confirm_password: form.confirm_password.value
			})
		}).then(function (res) {
			return res.json().then(function (body) {
				if (res.ok) {
					form.hidden = true;
					show(body.message + " You can now sign in.", true);
					return;
				}
				var msgs = [];
				if (body.errors)
					Object.keys(body.errors).forEach(function (k) {
						msgs = msgs.concat(body.errors[k]);
					});
				show(msgs.length ? msgs.join(" ") : body.detail, false);
			});
		}).catch(function () {
			show("The server could not be reached; try again.", false);
		});
	});
})();
