// The browser tests' harness: Debian's chromium, headless, driven by
// playwright-core (which never downloads a browser of its own), against
// the stack that ./dev test runs.  It knows nothing of any page: a test
// file (test_*.js beside it, see run.js) gets a fresh browser context
// and page per test, and the helpers below.
//
// Environment (./dev test sets the first two, and for tests that need
// them HM_CONFIG, HM_HMCTL, HM_MAIL_DIR, HM_ADMIN_EMAIL and
// HM_ADMIN_PASSWORD as for the end-to-end suite: see tests/e2e/hm.py):
//   HM_URL         the stack's base URL, https://127.0.0.1:PORT
//   HM_CA_CERT     the certificate (PEM) that the stack's nginx serves or
//                  that issued it; the browser trusts the keys in it and
//                  nothing else (no blanket "ignore HTTPS errors")
//   HM_CHROMIUM    the browser, /usr/bin/chromium by default
//   HM_BROWSER_OUT where a failed test leaves its screenshot (a new
//                  folder under the system's temporary folder by default)
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const https = require("node:https");
const os = require("node:os");
const path = require("node:path");

const { chromium } = require("playwright-core");

const CHROMIUM = process.env.HM_CHROMIUM || "/usr/bin/chromium";

// The flags this machine's chromium needs (no sandbox as root, no GPU),
// and none of its own traffic (updates, sync, QUIC probes).  playwright
// adds --headless and a fresh --user-data-dir of its own.
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic",
	"--no-first-run", "--disable-background-networking",
	"--disable-component-update", "--disable-sync"];

function env(name) {
	const v = process.env[name];
	if (!v)
		throw new Error(name + " is not set: run the browser tests " +
		    "through ./dev test, which starts the stack");
	return v;
}

// The stack's base URL, without a trailing slash.
function baseURL() {
	const u = new URL(env("HM_URL"));
	if (u.protocol !== "https:")
		throw new Error("HM_URL must be https://host:port");
	return u.origin;
}

// The base64 SHA-256 of the SubjectPublicKeyInfo of every certificate in
// the PEM file "file": chromium's --ignore-certificate-errors-spki-list
// then accepts a chain with one of these keys, and only such a chain.
function spkiPins(file) {
	const pem = fs.readFileSync(file, "utf8");
	const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) || [];
	if (blocks.length === 0)
		throw new Error(file + " holds no PEM certificate");
	return blocks.map((b) => {
		const der = new crypto.X509Certificate(b).publicKey.export(
		    { type: "spki", format: "der" });
		return crypto.createHash("sha256").update(der).digest("base64");
	});
}

// Starts the browser.
async function launch() {
	if (!fs.existsSync(CHROMIUM))
		throw new Error(CHROMIUM + " is missing: apt-get install " +
		    "chromium (never a downloaded browser)");
	const pins = spkiPins(env("HM_CA_CERT"));
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: FLAGS.concat(["--ignore-certificate-errors-spki-list=" +
		    pins.join(",")]),
		timeout: 60000
	});
}

// GET "urlPath" of the stack from node, verifying TLS against
// HM_CA_CERT: resolves to { status, headers, body (a string), json }.
function fetch(urlPath) {
	const ca = fs.readFileSync(env("HM_CA_CERT"));
	return new Promise((resolve, reject) => {
		const req = https.get(baseURL() + urlPath, { ca, timeout: 10000 },
		    (res) => {
			const chunks = [];
			res.on("data", (c) => chunks.push(c));
			res.on("end", () => {
				const body = Buffer.concat(chunks).toString("utf8");
				let json = null;
				try {
					json = JSON.parse(body);
				} catch (e) {
					json = null;
				}
				resolve({ status: res.statusCode,
				    headers: res.headers, body, json });
			});
		});
		req.on("timeout", () => req.destroy(new Error("timeout: " +
		    urlPath)));
		req.on("error", reject);
	});
}

// One test's browser context and page, with what went wrong on the page:
// uncaught exceptions, console errors (a Content-Security-Policy refusal
// is one), requests that failed or were answered 4xx or 5xx, and anything
// loaded from another origin.  A test passes only when none came but
// those it allowed with t.allow().
class TestContext {
	constructor(browser, name) {
		this.browser = browser;
		this.name = name;
		this.problems = [];
		this.allowed = [];
	}

	note(problem) {
		if (!this.allowed.some((a) => a.re.test(problem)))
			this.problems.push(problem);
	}

	// Accepts the problems that match "re", for the reason "why" (which
	// the test's source should make plain).
	allow(re, why) {
		this.allowed.push({ re, why });
		this.problems = this.problems.filter((p) => !re.test(p));
	}

	async open() {
		this.context = await this.browser.newContext({
			baseURL: baseURL(),
			viewport: { width: 1280, height: 900 }
		});
		this.context.setDefaultTimeout(20000);
		this.page = await this.context.newPage();
		const origin = baseURL();
		this.page.on("pageerror", (e) =>
		    this.note("uncaught exception: " + e.message));
		this.page.on("console", (m) => {
			// A failed load is noted below with its URL.  (The
			// browser's own /favicon.ico, which the site does not
			// have, is no request of the page and is not.)
			if (m.type() === "error" &&
			    !/^Failed to load resource:/.test(m.text()))
				this.note("console error: " + m.text());
		});
		this.page.on("requestfailed", (r) =>
		    this.note("request failed: " + r.method() + " " + r.url() +
		    ": " + (r.failure() || {}).errorText));
		this.page.on("response", (r) => {
			if (r.status() >= 400)
				this.note("answer " + r.status() + " to " +
				    r.request().method() + " " + r.url());
		});
		this.page.on("requestfinished", (r) => {
			const u = new URL(r.url());
			if (/^https?:$/.test(u.protocol) && u.origin !== origin)
				this.note("loaded from another origin: " + r.url());
		});
		return this;
	}

	// The absolute URL of "urlPath" on the stack.
	url(urlPath) {
		return baseURL() + urlPath;
	}

	// GET "urlPath" from node (see fetch()).
	fetch(urlPath) {
		return fetch(urlPath);
	}

	// Throws when something went wrong on the page (see note()).
	checkPage() {
		if (this.problems.length > 0)
			throw new Error("the page went wrong:\n  " +
			    this.problems.join("\n  "));
	}

	// Saves a screenshot of the page; returns its path (or null).
	async screenshot() {
		try {
			const dir = process.env.HM_BROWSER_OUT ||
			    fs.mkdtempSync(path.join(os.tmpdir(), "hm-browser-"));
			fs.mkdirSync(dir, { recursive: true });
			const file = path.join(dir, this.name.replace(/[^A-Za-z0-9_.-]+/g,
			    "_") + ".png");
			await this.page.screenshot({ path: file, fullPage: false });
			return file;
		} catch (e) {
			return null;
		}
	}

	async close() {
		if (this.context)
			await this.context.close().catch(() => {});
	}
}

module.exports = { launch, baseURL, fetch, spkiPins, TestContext };
