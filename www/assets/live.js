// The ward overview: GET /api/monitor/ for the open admissions, then the
// event stream /api/heartrates/stream/ moves each row's reading as it is
// recorded.  Signed in with the API's cookies: the browser sends them
// itself; unsafe requests carry the csrftoken cookie as X-CSRFToken.
"use strict";
(function () {
	var REFRESH_MS = 10 * 60 * 1000;	// the access cookie lives 15 min
	var RESYNC_MS = 30 * 1000;		// stale flags, admissions, discharges
	var signin = document.getElementById("signin");
	var board = document.getElementById("board");
	var rowsEl = document.querySelector("#patients tbody");
	var empty = document.getElementById("empty");
	var wardEl = document.getElementById("ward");
	var live = document.getElementById("live");
	var result = document.getElementById("result");
	var stream = null, timers = [], rows = {};

	function show(text) {
		result.textContent = text || "";
		result.className = text ? "error" : "";
	}

	function cookie(name) {
		var m = document.cookie.match("(?:^|; )" + name + "=([^;]*)");
		return m ? decodeURIComponent(m[1]) : "";
	}

	function post(path, body) {
		var headers = { "X-CSRFToken": cookie("csrftoken") };
		if (body !== undefined)
			headers["Content-Type"] = "application/json";
		return fetch(path, {
			method: "POST", credentials: "same-origin", headers: headers,
			body: body === undefined ? undefined : JSON.stringify(body)
		});
	}

	function cell(tr, cls, text) {
		var td = document.createElement("td");
		td.className = cls;
		td.textContent = text;
		tr.appendChild(td);
	}

	function time(iso) {
		return iso ? new Date(iso).toLocaleTimeString() : "";
	}

	// One row per open admission; textContent only, never HTML.
	function render(list) {
		var seen = {};
		rows = {};
		rowsEl.textContent = "";
		list.forEach(function (a) {
			var tr = document.createElement("tr");
			tr.dataset.admission = a.admission;
			cell(tr, "ward", a.ward || "");
			cell(tr, "bed", a.bed || "");
			cell(tr, "patient", a.patient.first_name + " " + a.patient.last_name);
			cell(tr, "device", a.device.serial_number);
			cell(tr, "bpm", "");
			cell(tr, "status", "");
			cell(tr, "time", "");
			rows[a.admission] = tr;
			rowsEl.appendChild(tr);
			reading(tr, a.latest_reading, a.stale, false);
			if (a.ward && !seen[a.ward])
				seen[a.ward] = true;
		});
		empty.hidden = list.length > 0;
		Object.keys(seen).sort().forEach(function (w) {
			if (!wardEl.querySelector("option[value='" + CSS.escape(w) + "']")) {
				var o = document.createElement("option");
				o.value = o.textContent = w;
				wardEl.appendChild(o);
			}
		});
	}

	function reading(tr, r, stale, fresh) {
		tr.querySelector(".bpm").textContent = r ? r.bpm : "-";
		tr.querySelector(".status").textContent = r ? r.status : "no reading yet";
		tr.querySelector(".time").textContent = r ? time(r.measured_at) : "";
		tr.className = (r ? r.status : "") + (stale ? " stale" : "") +
		    (fresh ? " fresh" : "");
		if (fresh)
			setTimeout(function () { tr.classList.remove("fresh"); }, 1500);
	}

	function overview() {
		var q = wardEl.value ? "?ward=" + encodeURIComponent(wardEl.value) : "";
		return fetch("/api/monitor/" + q, { credentials: "same-origin" })
		    .then(function (res) {
			if (res.status === 401 || res.status === 403) {
				stop();
				signin.hidden = false;
				board.hidden = true;
				show(res.status === 403 ? "Only doctors and nurses " +
				    "see the ward overview." : "");
				return false;
			}
			return res.json().then(function (list) {
				render(list);
				return true;
			});
		});
	}

	function connect() {
		var q = wardEl.value ? "?ward=" + encodeURIComponent(wardEl.value) : "";
		if (stream)
			stream.close();
		// The browser reconnects by itself, sending Last-Event-ID.
		stream = new EventSource("/api/heartrates/stream/" + q);
		stream.addEventListener("open", function () {
			live.textContent = "live";
			live.className = "live on";
		});
		stream.addEventListener("error", function () {
			live.textContent = "reconnecting";
			live.className = "live";
		});
		stream.addEventListener("reading", function (ev) {
			var r = JSON.parse(ev.data), tr = rows[r.admission];
			if (tr)
				reading(tr, r, false, true);
			else
				overview();	// a new admission
		});
	}

	function stop() {
		if (stream)
			stream.close();
		stream = null;
		timers.forEach(clearInterval);
		timers = [];
	}

	function start() {
		overview().then(function (ok) {
			if (!ok)
				return;
			signin.hidden = true;
			board.hidden = false;
			show("");
			connect();
			timers.push(setInterval(overview, RESYNC_MS));
			timers.push(setInterval(function () {
				post("/api/auth/refresh/");
			}, REFRESH_MS));
		}).catch(function () {
			show("The server could not be reached; try again.");
		});
	}

	signin.addEventListener("submit", function (ev) {
		ev.preventDefault();
		post("/api/auth/signin/", {
			email: signin.email.value, password: signin.password.value
		}).then(function (res) {
			if (res.ok) {
				signin.password.value = "";
				start();
				return;
			}
			return res.json().then(function (body) {
				show(body.detail || "Sign-in failed.");
			});
		}).catch(function () {
			show("The server could not be reached; try again.");
		});
	});

	document.getElementById("signout").addEventListener("click", function () {
		stop();
		post("/api/auth/logout/").finally(function () {
			board.hidden = true;
			signin.hidden = false;
		});
	});

	wardEl.addEventListener("change", function () {
		overview().then(function (ok) { if (ok) connect(); });
	});

	start();
})();
