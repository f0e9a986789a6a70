#!/usr/bin/env node
// Runs the browser tests of the Heart Monitor's pages:
//
//     NODE_PATH=BUILD/tests/browser/node_modules node tests/browser/run.js [PATTERN]...
//
// (./dev test installs playwright-core there with "make browser-deps",
// starts the stack and sets HM_URL and HM_CA_CERT: see harness.js.)
//
// Every test_*.js beside this file exports an object whose members are
// the tests: async functions of one argument, a harness.TestContext
// ("t.page", "t.url()", "t.fetch()"), each run in a fresh browser context.
// A PATTERN keeps the tests whose "file: name" contains it.  Ends with
// one line "N passed, N failed"; the exit status is 0 only when tests ran
// and none failed.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const harness = require("./harness");

const TEST_TIMEOUT = Number(process.env.HM_BROWSER_TIMEOUT || 90) * 1000;

function withTimeout(promise, ms, what) {
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(what + ": no end " +
		    "after " + ms / 1000 + " s")), ms);
	});
	return Promise.race([promise, timeout]).finally(() =>
	    clearTimeout(timer));
}

// [{ id: "test_x.js: name", fn }] of every test file, in name order.
function collect(patterns) {
	const tests = [];
	for (const file of fs.readdirSync(__dirname).sort()) {
		if (!/^test_.*\.js$/.test(file))
			continue;
		const mod = require(path.join(__dirname, file));
		for (const [name, fn] of Object.entries(mod)) {
			const id = file + ": " + name;
			if (typeof fn !== "function")
				continue;
			if (patterns.length === 0 ||
			    patterns.some((p) => id.includes(p)))
				tests.push({ id, fn });
		}
	}
	return tests;
}

async function runOne(browser, test) {
	const t = new harness.TestContext(browser, test.id);
	const start = Date.now();
	try {
		await t.open();
		await withTimeout(test.fn(t), TEST_TIMEOUT, test.id);
		t.checkPage();
		console.log("%s ... ok (%s s)", test.id,
		    ((Date.now() - start) / 1000).toFixed(1));
		return true;
	} catch (e) {
		const shot = t.page ? await t.screenshot() : null;
		console.log("%s ... FAIL\n%s%s%s", test.id,
		    (e && e.stack) || e,
		    t.problems.length ? "\n  on the page:\n    " +
		    t.problems.join("\n    ") : "",
		    shot ? "\n  screenshot: " + shot : "");
		return false;
	} finally {
		await t.close();
	}
}

async function main(argv) {
	let passed = 0, failed = 0, browser = null;
	const tests = collect(argv);
	try {
		browser = await harness.launch();
		console.log("chromium %s, %s", browser.version(),
		    harness.baseURL());
		for (const test of tests) {
			if (await runOne(browser, test))
				passed++;
			else
				failed++;
		}
	} catch (e) {
		console.log("the browser tests could not run: %s",
		    (e && e.stack) || e);
		failed++;
	} finally {
		if (browser)
			await browser.close().catch(() => {});
	}
	if (tests.length === 0)
		console.log("no test matched %j", argv);
	console.log("%d passed, %d failed", passed, failed);
	return failed === 0 && tests.length > 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((status) => {
	process.exitCode = status;
});
