"""How long the phone page's proof of work (``static/challenge.js``) takes in Chromium:
the real script on a page served by Playwright from a loopback address (a secure context,
as the portal is), at a few difficulties. A measurement, not a test:

    .venv/bin/python services/portal/bench/challenge_timing.py [runs per difficulty]

For each difficulty it prints the median and slowest time from the click to the form's
POST, the hashes per second (the nonce found, over the time: the figure that predicts any
difficulty, about ``2**bits / rate`` seconds on average), and the longest task the work
held the page's main thread for (what keeps it answering taps).
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import sys
import time
from importlib import resources
from urllib.parse import parse_qs

from playwright.async_api import Route, async_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ORIGIN = "http://127.0.0.1:9"
"""Never contacted: Playwright answers every request to it."""
DIFFICULTIES = (8, 12, 16, 18, 20)
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>
<body><form method="post" action="/sent" id="challenged" data-difficulty="{difficulty}"
data-checking="Checking your browser…" data-failed="failed">
<input type="hidden" name="challenge" value="{challenge}"><input type="hidden" name="nonce">
<input id="phone" name="phone" value="7011234567"><button type="submit">Send</button>
<p id="challenge-status" role="status" aria-live="polite"></p></form>
<script src="/challenge.js" defer></script></body></html>"""


async def main(runs: int) -> None:
    script = resources.files("contest_portal").joinpath("static/challenge.js").read_bytes()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await browser.new_page()
        posted: asyncio.Queue[tuple[float, str]] = asyncio.Queue()
        difficulty = 0

        async def answer(route: Route) -> None:
            request = route.request
            if request.url.endswith("/challenge.js"):
                await route.fulfill(body=script, content_type="text/javascript")
            elif request.method == "POST":
                nonce = parse_qs(request.post_data or "")["nonce"][0]
                posted.put_nowait((time.perf_counter(), nonce))
                await route.fulfill(body="sent", content_type="text/plain")
            else:
                challenge = f"{difficulty}.1999999999.{secrets.token_urlsafe(12)}.{'s' * 43}"
                body = PAGE.format(difficulty=difficulty, challenge=challenge)
                await route.fulfill(body=body, content_type="text/html")

        await page.route(f"{ORIGIN}/**", answer)
        # Long tasks (over 50 ms) of the main thread, kept across the form's navigation.
        await page.add_init_script(
            "new PerformanceObserver(l => { for (const e of l.getEntries()) {"
            " const m = Number(sessionStorage.longest || 0);"
            " sessionStorage.longest = Math.max(m, e.duration); } })"
            ".observe({type: 'longtask', buffered: true});"
        )
        print(f"{'bits':>4} {'median s':>9} {'max s':>7} {'hashes/s':>9} {'longest task ms':>16}")
        for difficulty in DIFFICULTIES:
            times, rates = [], []
            await page.goto(f"{ORIGIN}/phone")
            await page.evaluate("sessionStorage.clear()")
            for _ in range(runs):
                await page.goto(f"{ORIGIN}/phone")
                assert await page.evaluate("window.isSecureContext")
                started = time.perf_counter()
                await page.click("button[type=submit]")
                done, nonce = await asyncio.wait_for(posted.get(), timeout=600)
                await page.wait_for_url(f"{ORIGIN}/sent")
                times.append(done - started)
                rates.append((int(nonce) + 1) / (done - started))
            longest = await page.evaluate("Number(sessionStorage.longest || 0)")
            print(
                f"{difficulty:>4} {statistics.median(times):>9.2f} {max(times):>7.2f}"
                f" {statistics.median(rates):>9.0f} {longest:>16.0f}"
            )
        await browser.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
