// The ward overview at /live/ (issue 5): a nurse signs in on the page,
// sees her ward's patients, and a reading recorded through the API
// appears in its row from the event stream, without a reload.
//
// Needs, beside HM_URL and HM_CA_CERT: HM_ADMIN_EMAIL and
// HM_ADMIN_PASSWORD (the stack's admin, who admits the patient), HM_HMCTL
// and HM_CONFIG (to activate the nurse's account, as a sysadmin would).
"use strict";

const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const https = require("node:https");

const harness = require("./harness");

function env(name) {
	const v = process.env[name];
	if (!v)
		throw new Error(name + " is not set: run through ./dev test");
	return v;
}

// A JSON request to the API from node; resolves to { status, json }.
function api(method, urlPath, body, token) {
	const data = body === undefined ? null : JSON.stringify(body);
	const headers = {};
	if (data !== null)
		headers["Content-Type"] = "application/json";
	if (token)
		headers.Authorization = "Bearer " + token;
	return new Promise((resolve, reject) => {
		const req = https.request(harness.baseURL() + urlPath, {
			method, headers, ca: fs.readFileSync(env("HM_CA_CERT")),
			timeout: 10000
		}, (res) => {
			const chunks = [];
			res.on("data", (c) => chunks.push(c));
			res.on("end", () => {
				const text = Buffer.concat(chunks).toString();
				let json = null;
				try {
					json = JSON.parse(text);
				} catch (e) {
					json = null;
				}
				resolve({ status: res.statusCode, json });
			});
		});
		req.on("timeout", () => req.destroy(new Error("timeout")));
		req.on("error", reject);
		req.end(data);
	});
}

async function ok(status, promise) {
	const r = await promise;
	assert.equal(r.status, status, JSON.stringify(r.json));
	return r.json;
}

async function token(email, password) {
	return (await ok(200, api("POST", "/api/auth/token/",
	    { email, password }))).access;
}

// A nurse account, registered through the API and activated by hmctl.
async function nurse() {
	const tag = crypto.randomBytes(6).toString("hex");
	const user = { email: "live-" + tag + "@heartmonitor.test",
	    password: "browser-" + tag + "-pw" };
	await ok(201, api("POST", "/api/auth/register/", Object.assign({
		confirm_password: user.password, user_role: "nurse",
		first_name: "Nia", last_name: "Live",
		phone_number: "+49301" + String(Date.now()).slice(-8)
	}, user)));
	execFileSync(env("HM_HMCTL"), ["user", "activate", user.email], {
		env: Object.assign({}, process.env,
		    { HEARTMONITOR_CONFIG: env("HM_CONFIG") })
	});
	return user;
}

// A patient admitted by the admin onto a new monitor in "ward".
async function admitted(ward) {
	const admin = await token(env("HM_ADMIN_EMAIL"),
	    env("HM_ADMIN_PASSWORD"));
	const tag = crypto.randomBytes(6).toString("hex");
	const device = await ok(201, api("POST", "/api/devices/",
	    { serial_number: "LIVE-" + tag, model_name: "Pulse 3" }, admin));
	const patient = await ok(201, api("POST", "/api/patients/", {
		first_name: "Grace", last_name: "Live" + tag,
		date_of_birth: "1936-12-09",
		phone_number: "+1555" + String(Date.now()).slice(-8)
	}, admin));
	const admission = await ok(201, api("POST", "/api/admissions/", {
		patient: patient.id, assigned_device: device.id, ward, bed: "7"
	}, admin));
	return { patient, device, admission };
}

module.exports = {
	async "a nurse sees a reading arrive live"(t) {
		const ward = "Live-" + crypto.randomBytes(4).toString("hex");
		const who = await nurse();
		const a = await admitted(ward);
		const page = t.page;

		// Signed out, the page asks for credentials (its first
		// /api/monitor/ is a 401: expected).
		t.allow(/^answer 401 to GET .*\/api\/monitor\/$/,
		    "the page learns it is signed out");
		t.allow(/^request failed: GET .*\/api\/heartrates\/stream\/.*: net::ERR_ABORTED$/,
		    "the page closes its stream to change ward or sign out");
		await page.goto(t.url("/live/"));
		await page.locator("#signin").waitFor();
		await page.fill("#email", who.email);
		await page.fill("#password", who.password);
		await page.click("#signin button[type=submit]");
		await page.locator("#board").waitFor();

		const row = page.locator("tr[data-admission='" +
		    a.admission.id + "']");
		await row.waitFor();
		assert.equal(await row.locator(".patient").textContent(),
		    "Grace " + a.patient.last_name);
		assert.equal(await row.locator(".device").textContent(),
		    a.device.serial_number);
		assert.equal(await row.locator(".bpm").textContent(), "-");
		await page.locator("#live", { hasText: "live" }).waitFor();

		// Recorded elsewhere (a monitor's gateway, say): the row moves.
		const nurseToken = await token(who.email, who.password);
		const r = await ok(201, api("POST", "/api/heartrates/",
		    { patient: a.patient.id, bpm: 123 }, nurseToken));
		await page.locator("tr[data-admission='" + a.admission.id +
		    "'] td.bpm", { hasText: "123" }).waitFor({ timeout: 10000 });
		assert.equal(await row.locator(".status").textContent(), "high");
		assert.equal(r.status, "high");

		// The ward filter keeps this ward's rows only.
		await page.selectOption("#ward", ward);
		await page.waitForFunction((w) => {
			const cells = [...document.querySelectorAll("#patients td.ward")];
			return cells.length > 0 && cells.every((c) => c.textContent === w);
		}, ward);

		await page.click("#signout");
		await page.locator("#signin").waitFor();
	}
};
