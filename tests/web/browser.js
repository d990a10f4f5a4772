// browser.js URL SAMPLE.JPG SHOT.PNG: digits-web's page at URL in a real
// browser (Debian's chromium, headless, driven by playwright-core): a
// digit drawn with the mouse, a photo uploaded, a camera snapshot (the
// browser's fake camera), a file that is no image; prints TAP, saves a
// screenshot.  playwright-core is found under $WEB_NPM/node_modules.
"use strict";
const path = require("path");
const { chromium } = require(path.join(process.env.WEB_NPM ||
    path.join(__dirname, ".npm"), "node_modules", "playwright-core"));

const [url, sample, shot] = process.argv.slice(2);
let n = 0, failed = 0;

function ok(cond, what, why) {
	n++;
	console.log((cond ? "ok " : "not ok ") + n + " - " + what);
	if (!cond) {
		failed++;
		console.log("# " + why);
	}
}

// Draw a stroke through points given as fractions of the canvas.
async function stroke(page, pts) {
	const b = await page.locator("#pad").boundingBox();
	const at = (p) => [b.x + p[0] * b.width, b.y + p[1] * b.height];
	await page.mouse.move(...at(pts[0]));
	await page.mouse.down();
	for (const p of pts.slice(1))
		await page.mouse.move(...at(p), { steps: 12 });
	await page.mouse.up();
}

// Click sel and wait for the page to show the answer it asked for.
async function answer(page, act) {
	const res = page.waitForResponse((r) => r.url().endsWith("/api/recognize"));
	await act();
	const r = await res;
	await page.waitForFunction(() => document.body.dataset.state === "done");
	return r;
}

async function text(page) {
	return (await page.textContent("#text")).trim();
}

async function draw(page) {
	await stroke(page, [[0.38, 0.18], [0.62, 0.18], [0.45, 0.85]]);
	let r = await answer(page, () => page.click("#read"));
	let t = await text(page);
	ok(r.status() === 200 && t === "7", "a 7 drawn with the mouse reads 7",
	    "status " + r.status() + ", text '" + t + "'");
	await page.click("#clear");
	await stroke(page, [[0.5, 0.12], [0.5, 0.88]]);
	r = await answer(page, () => page.click("#read"));
	t = await text(page);
	ok(t === "1", "a 1 reads 1", "text '" + t + "'");
	await page.click("#clear");
	await stroke(page, [[0.38, 0.18], [0.62, 0.18], [0.45, 0.85]]);
	// no click: the page reads it by itself once the pen is up
	await page.waitForResponse((r) => r.url().endsWith("/api/recognize"));
	await page.waitForFunction(() => document.body.dataset.state === "done");
	t = await text(page);
	ok(t === "7", "drawing is read without a click", "text '" + t + "'");
}

async function upload(page) {
	const r = await answer(page, () => page.setInputFiles("#file", sample));
	const t = await text(page);
	const boxes = await page.getAttribute("#view", "data-boxes");
	const cards = await page.locator("#digits .digit").count();
	const bars = await page.locator("#digits .digit .bar").count();
	ok(r.status() === 200 && t === "5283", "the photo reads 5283",
	    "status " + r.status() + ", text '" + t + "'");
	ok(boxes === "4" && cards === 4 && bars === 12,
	    "four boxes, four digits with three bars each",
	    boxes + " boxes, " + cards + " digits, " + bars + " bars");
	await page.screenshot({ path: shot, fullPage: true });
}

async function camera(page) {
	await page.click("#camera");
	await page.waitForFunction(() =>
	    document.getElementById("video").videoWidth > 0);
	const r = await answer(page, () => page.click("#snap"));
	ok(r.status() === 200, "a camera snapshot is answered",
	    "status " + r.status());
}

async function junk(page) {
	const r = await answer(page, () => page.setInputFiles("#file", {
	    name: "notes.txt", mimeType: "text/plain",
	    buffer: Buffer.from("no image here\n") }));
	const s = await page.textContent("#status");
	ok(r.status() === 400 && /^400: not a PNM/.test(s),
	    "a file that is no image: the error shown", "status line '" + s + "'");
}

async function main() {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
		args: ["--use-fake-device-for-media-stream",
		    "--use-fake-ui-for-media-stream"],
	});
	const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
	const foreign = [], errors = [];
	page.on("request", (r) => {
		if (!r.url().startsWith(url) && !/^(data|blob):/.test(r.url()))
			foreign.push(r.url());
	});
	page.on("pageerror", (e) => errors.push(e.message));
	const r = await page.goto(url);
	ok(r.status() === 200 && (await page.title()) === "digitpipe",
	    "the page loads", "status " + r.status());
	await draw(page);
	await upload(page);
	await camera(page);
	await junk(page);
	ok(foreign.length === 0, "nothing is fetched from elsewhere",
	    foreign.join(" "));
	ok(errors.length === 0, "no script errors", errors.join("; "));
	await browser.close();
	console.log("1.." + n);
	process.exit(failed ? 1 : 0);
}

main().catch((e) => {
	console.log("not ok - " + e.message.split("\n")[0]);
	console.log("# " + e.stack.replace(/\n/g, "\n# "));
	process.exit(1);
});
