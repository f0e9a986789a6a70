// The API documentation pages (SPEC 7.24): Swagger UI at /api/docs/ and
// Redoc at /api/redoc/ render the OpenAPI document of /api/schema/ with
// assets that nginx serves (nothing from a CDN), within their
// Content-Security-Policy, and Swagger UI's "Try it out" calls the API.
"use strict";

const assert = require("node:assert/strict");

const METHODS = ["get", "put", "post", "delete", "options", "head",
	"patch", "trace"];

// The operations of the served document: [{ key: "GET /api/x/", id }].
async function documented(t) {
	const r = await t.fetch("/api/schema/");
	assert.equal(r.status, 200, "GET /api/schema/: " + r.status);
	assert.ok(r.json && r.json.paths, "/api/schema/ is no OpenAPI document");
	const ops = [];
	for (const [p, item] of Object.entries(r.json.paths))
		for (const m of METHODS)
			if (item[m])
				ops.push({ key: m.toUpperCase() + " " + p,
				    id: item[m].operationId });
	assert.ok(ops.length > 0, "the document has no operation");
	return ops;
}

function sorted(list) {
	return [...new Set(list)].sort();
}

// Redoc's sidebar ends with a link to Redocly whose logo it loads from
// Redocly's CDN.  The page's policy refuses that, as it must (hospital
// networks are closed; nothing comes from elsewhere), and Redoc then
// hides the image: the refusal is expected, a load would not be.
const REDOC_CDN_LOGO = new RegExp("^(console error: Loading the image " +
    "'https://cdn\\.redoc\\.ly/redoc/logo-mini\\.svg' violates the " +
    "following Content Security Policy directive|request failed: GET " +
    "https://cdn\\.redoc\\.ly/redoc/logo-mini\\.svg: csp$)");

module.exports = {
	async "Swagger UI lists every operation"(t) {
		const ops = await documented(t);
		await t.page.goto(t.url("/api/docs/"));
		await t.page.locator(".info .title",
		    { hasText: "Heart Monitor API" }).waitFor();
		await t.page.locator(".opblock").first().waitFor();
		const shown = await t.page.$$eval(".opblock", (els) => els.map(
		    (e) => e.querySelector(".opblock-summary-method")
		    .textContent.trim() + " " +
		    e.querySelector(".opblock-summary-path")
		    .getAttribute("data-path")));
		assert.deepEqual(sorted(shown), sorted(ops.map((o) => o.key)));
	},

	async "Swagger UI tries GET /api/health/ out"(t) {
		await t.page.goto(t.url("/api/docs/"));
		const op = t.page.locator("#operations-Health-getHealth");
		await op.locator(".opblock-summary").click();
		await op.getByRole("button", { name: "Try it out" }).click();
		const [resp] = await Promise.all([
			t.page.waitForResponse((r) =>
			    new URL(r.url()).pathname === "/api/health/"),
			op.getByRole("button", { name: "Execute" }).click()
		]);
		assert.equal(resp.status(), 200);
		const body = await resp.json();
		assert.equal(body.status, "ok");
		// The page shows the answer: its status and its body.
		const status = op.locator(
		    ".live-responses-table tbody .response-col_status").first();
		await status.waitFor();
		assert.equal((await status.textContent()).trim(), "200");
		const shown = await op.locator(".live-responses-table " +
		    ".response-col_description .microlight").first()
		    .textContent();
		assert.deepEqual(JSON.parse(shown), body);
	},

	async "Redoc lists every operation and searches them"(t) {
		t.allow(REDOC_CDN_LOGO, "Redoc's CDN logo is refused");
		const ops = await documented(t);
		const ids = sorted(ops.map((o) => o.id));
		await t.page.goto(t.url("/api/redoc/"));
		await t.page.locator("h1", { hasText: "Heart Monitor API" })
		    .waitFor();
		// Each operation has a section in the middle...
		await t.page.locator('[data-section-id^="operation/"]').first()
		    .waitFor();
		const sections = await t.page.$$eval("[data-section-id]",
		    (els) => els.map((e) => e.getAttribute("data-section-id")));
		assert.deepEqual(sorted(sections.filter((s) =>
		    s.startsWith("operation/")).map((s) => s.slice(10))), ids);
		// ...and an item in the menu.
		const items = await t.page.$$eval("li[data-item-id]",
		    (els) => els.map((e) => e.getAttribute("data-item-id")));
		assert.deepEqual(sorted(items.filter((s) =>
		    s.includes("/operation/")).map((s) =>
		    s.slice(s.indexOf("/operation/") + 11))), ids);
		// Search runs in a Web Worker (worker-src blob: of the policy).
		await t.page.getByPlaceholder("Search...").fill("discharge");
		await t.page.locator('[role="search"] li, [data-role="search:result"]')
		    .first().waitFor();
	}
};
