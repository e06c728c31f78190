#!/usr/bin/env python3
"""Opens a tenderlab HTML report in headless Chromium, offline, and checks that it draws.

Usage: check_page.py REPORT.html SCREENSHOT.png [--min-charts N] [--clip-height PX]

Chromium is driven through the DevTools protocol over a pipe (--remote-debugging-pipe: JSON
messages ended by NUL on file descriptors 3 and 4), with the Python standard library only. The
check fails (exit 1) on any console error or warning, uncaught exception, failed load or request
for anything but the file itself, and when a chart drew no marks: the page's own script records,
once every vegaEmbed promise has settled, the marks of each view's scenegraph in #tl-status. It
saves a PNG screenshot of the page. Exit 77 (skipped) when no Chromium is installed, except on CI
(CI set), where setup.sh must have installed it.
"""
import argparse
import base64
import fcntl
import json
import os
import pathlib
import select
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


class Browser:
    """A headless Chromium with no network: every host resolves to nothing, every request goes
    to a proxy on a closed local port."""

    def __init__(self, chromium, profile, log):
        to_child = os.pipe()
        from_child = os.pipe()
        # Move the ends the child uses out of the way of fds 3 and 4 before placing them there.
        child_read = fcntl.fcntl(to_child[0], fcntl.F_DUPFD_CLOEXEC, 10)
        child_write = fcntl.fcntl(from_child[1], fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_child[0])
        os.close(from_child[1])

        def place_pipes():
            os.dup2(child_read, 3)
            os.dup2(child_write, 4)

        arguments = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
            "--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-default-apps", "--disable-dev-shm-usage",
            "--mute-audio", "--hide-scrollbars", "--force-color-profile=srgb",
            "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--lang=en-US", "about:blank",
        ]
        self.process = subprocess.Popen(arguments, preexec_fn=place_pipes, close_fds=False,
                                        stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        os.close(child_read)
        os.close(child_write)
        self.write_fd = to_child[1]
        self.read_fd = from_child[0]
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        return self.next_id

    def receive(self, timeout):
        """The next message, or None after `timeout` seconds."""
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.read_fd], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None, timeout=60):
        wanted = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            message = self.receive(max(0.0, deadline - time.monotonic()))
            if message is None:
                raise RuntimeError(method + ": no answer within %d s" % timeout)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(method + ": " + json.dumps(message["error"]))
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        while True:
            message = self.receive(max(0.0, deadline - time.monotonic()))
            if message is None:
                return
            if "method" in message:
                self.events.append(message)

    def close(self):
        try:
            self.send("Browser.close")
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
            self.process.wait()


def problems_in(events, page_url):
    """Console errors and warnings, exceptions, log errors and requests off the page's file."""
    found = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            found.append("console %s: %s" % (params["type"], text))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            found.append("uncaught exception: %s" % details.get("exception", {}).get("description", details.get("text")))
        elif method == "Log.entryAdded" and params["entry"].get("level") in ("error", "warning"):
            found.append("log %s: %s" % (params["entry"]["level"], params["entry"].get("text")))
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if url != page_url and not url.startswith(("data:", "blob:", "about:")):
                found.append("network request: %s" % url)
        elif method == "Network.loadingFailed":
            found.append("failed load: %s" % params.get("errorText"))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("screenshot")
    parser.add_argument("--min-charts", type=int, default=1)
    parser.add_argument("--clip-height", type=int, default=0,
                        help="screenshot at most this many pixels high (0: to the end of the page)")
    parser.add_argument("--clip-top", type=int, default=0, help="screenshot from this many pixels down")
    parser.add_argument("--element", default="",
                        help="screenshot only this element (a CSS selector), from --clip-top if given")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--unit", choices=["bn", "eok", "jo"], default="bn",
                        help="switch money to this unit before the screenshot")
    arguments = parser.parse_args()

    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        # scripts/setup.sh installs Chromium, so on CI a missing browser is a failed install,
        # not a reason to skip the check.
        if os.environ.get("CI"):
            print("chromium is not installed, though scripts/setup.sh installs it", file=sys.stderr)
            return 1
        print("chromium is not installed (Debian: apt-get install chromium): skipped")
        return SKIP
    page = pathlib.Path(arguments.report).resolve()
    page_url = page.as_uri()
    with tempfile.TemporaryDirectory(prefix="tenderlab-chromium-") as profile:
        log_path = pathlib.Path(arguments.screenshot).with_suffix(".chromium.log")
        with open(log_path, "wb") as log:
            browser = Browser(chromium, profile, log)
            try:
                target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
                session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
                for domain in ("Runtime.enable", "Log.enable", "Page.enable", "Network.enable"):
                    browser.call(domain, session=session)
                browser.call("Emulation.setDeviceMetricsOverride",
                             {"width": arguments.width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                             session=session)
                browser.call("Page.navigate", {"url": page_url}, session=session)

                def evaluate(expression):
                    result = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                                          session=session)
                    return result.get("result", {}).get("value")

                state_expression = "(document.getElementById('tl-status') || {dataset: {}}).dataset.state"
                deadline = time.monotonic() + 120
                state = None
                while time.monotonic() < deadline:
                    state = evaluate(state_expression)
                    if state == "done":
                        break
                    browser.drain(0.2)
                if arguments.unit != "bn":
                    evaluate("(function(){var i=document.querySelector('input[name=tl-money-unit][value=%s]');"
                             "i.checked=true;i.dispatchEvent(new Event('change'));})()" % arguments.unit)
                browser.drain(2.0)
                status = json.loads(evaluate("document.getElementById('tl-status').textContent") or "{}")
                charts_on_page = evaluate("document.querySelectorAll('div.chart').length")
                metrics = browser.call("Page.getLayoutMetrics", session=session)
                size = metrics.get("cssContentSize", metrics.get("contentSize"))
                top = min(arguments.clip_top, max(0, size["height"] - 1))
                height = size["height"] - top
                if arguments.element:
                    box = evaluate("(function(){var r=document.querySelector(%s).getBoundingClientRect();"
                                   "return [r.top + window.scrollY, r.bottom + window.scrollY];})()"
                                   % json.dumps(arguments.element))
                    top = top if "--clip-top" in sys.argv else max(0, box[0] - 8)
                    height = box[1] + 8 - top
                if arguments.clip_height > 0:
                    height = min(height, arguments.clip_height)
                shot = browser.call("Page.captureScreenshot",
                                    {"format": "png", "captureBeyondViewport": True,
                                     "clip": {"x": 0, "y": top, "width": arguments.width, "height": height, "scale": 1}},
                                    session=session)
                pathlib.Path(arguments.screenshot).write_bytes(base64.b64decode(shot["data"]))
            finally:
                browser.close()

    failures = problems_in(browser.events, page_url)
    if state != "done":
        failures.append("the page did not finish drawing (state %r)" % state)
    failures += ["page error: %s" % e for e in status.get("errors", [])]
    charts = status.get("charts", {})
    if charts_on_page != len(charts):
        failures.append("%s chart elements but %d charts drawn" % (charts_on_page, len(charts)))
    if len(charts) < arguments.min_charts:
        failures.append("%d charts, expected at least %d" % (len(charts), arguments.min_charts))
    failures += ["chart %s drew no marks" % chart for chart, marks in charts.items() if not marks]
    print("%s: %d charts, marks %s; screenshot %s" % (page.name, len(charts), json.dumps(charts), arguments.screenshot))
    for failure in failures:
        print("FAILED: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
