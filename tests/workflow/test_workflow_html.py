"""The HTML report: structure and escaping, then rendered in real headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from pymigrate.analyze import analyze_paths
from pymigrate.analyze.reports import html
from pymigrate.config import Config

PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/ready.py": "def add(a: int, b: int) -> int:\n    return a + b\n",
    "pkg/blocked.py": "def run(code: str) -> object:\n    return eval(code)\n\n\ndef twice(code: str) -> object:\n    return eval(code) * 2\n",
    "pkg/shapes.py": "class Point(tuple):\n    pass\n",
    "pkg/<odd & name>.py": "x = 1\n",
    "pkg/broken.py": "def broken(:\n",
}


class Outline(HTMLParser):
    """Elements by tag, ids, and every URL the page would load or link to."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


def write_package(root: Path) -> Path:
    for name, text in PACKAGE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root / "pkg"


@pytest.fixture
def page(tmp_path: Path) -> tuple[str, Any]:
    report = analyze_paths([write_package(tmp_path)], Config())
    return html.render(report, title="pkg <main>", baseline_score=report.score - 10), report


def test_page_is_self_contained(page: tuple[str, Any]) -> None:
    text, _ = page
    outline = Outline()
    outline.feed(text)
    assert not outline.find("link") and not outline.find("img") and not outline.find("iframe")
    assert all("src" not in attrs for attrs in outline.find("script"))  # inline only
    # No URL that a browser would fetch: the only one allowed is the SVG namespace name.
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>)]*", text))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert "@import" not in text and "url(" not in text


def test_page_shows_readiness_modules_and_chart(page: tuple[str, Any]) -> None:
    text, report = page
    outline = Outline()
    outline.feed(text)
    body = "".join(outline.text)
    assert f"{report.score:.1f}" in body
    assert "+10.0 against the baseline" in body
    assert [a.get("id") for a in outline.find("svg")] == ["progress-chart"]
    assert {"readiness", "progress", "modules"} <= {a.get("id") for a in outline.find("section")}
    modules_table = text[text.index('id="modules"') :]
    rows = modules_table[: modules_table.index("</tbody>")].count("<tr>") - 1  # minus the header
    assert rows == len(report.files)
    counts = {
        s: sum(1 for m in report.files for f in m.functions if f.status == s) for s in ("ready", "blocked")
    }
    assert counts["ready"] >= 1 and counts["blocked"] >= 2  # the fixture has both kinds
    assert f"{counts['ready']} ready" in body and f"{counts['blocked']} blocked" in body
    blockers = text[text.index('id="blockers"') :]
    # eval blocks both functions of blocked.py; the most blocking code comes first
    assert (
        blockers.index('<tbody><tr><td><code>PM301</code></td><td>eval-exec</td><td class="num">2</td></tr>')
        > 0
    )
    assert "pkg &lt;main&gt;" in text and "&lt;odd &amp; name&gt;.py" in text  # escaped, never markup
    assert "<main>" in text and text.count("<main>") == 1
    broken = next(m for m in report.files if m.path.endswith("broken.py"))
    assert broken.error is not None
    assert f'<span class="error" title="{broken.error}">not analyzed</span>' in text
    (error,) = report.errors
    assert error["message"].startswith(error["path"])  # so the page shows the path once
    assert f"<li><code>{error['path']}</code>{error['message'][len(error['path']):]}</li>" in text


def test_rule_links_only_when_asked(tmp_path: Path) -> None:
    report = analyze_paths([write_package(tmp_path)], Config())
    assert 'href="' not in html.render(report)
    linked = html.render(report, rules_url="https://example.invalid/docs/rules/")
    assert 'href="https://example.invalid/docs/rules/PM301.md"' in linked


def chromium_run(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with networking refused and console messages logged to stderr."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_console_capture_sees_errors(chromium: str, tmp_path: Path) -> None:
    """The check below is only worth something if a page with errors is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>x</p><script>console.error('boom'); missingFunction();</script>")
    done = chromium_run(chromium, tmp_path / "profile", "--dump-dom", bad.as_uri())
    messages = console_messages(done.stderr)
    assert any("boom" in m for m in messages)
    assert any("missingFunction is not defined" in m for m in messages)


def test_renders_in_headless_chromium(
    chromium: str, tmp_path: Path, make_repo: Callable[[str], Any], pymigrate_cli: Callable[..., Any]
) -> None:
    repo = make_repo("repo")
    for index in range(4):  # a history of four commits, each one more function ready
        files = {f"pkg/m{i}.py": PACKAGE["pkg/ready.py"] for i in range(index)}
        files["pkg/blocked.py"] = PACKAGE["pkg/blocked.py"]
        repo.commit(files, f"step {index}")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    page_path = out_dir / "readiness.html"
    done = pymigrate_cli(
        "report", "pkg", "--format", "html", "--history", "4", "--output", str(page_path), cwd=repo.root
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # the page went to the file

    dom = chromium_run(chromium, tmp_path / "profile", "--dump-dom", page_path.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_messages(dom.stderr) == []
    assert 'data-pm-ready="1"' in dom.stdout  # the inline script ran to the end
    chart = dom.stdout[dom.stdout.index('<svg id="progress-chart"') :]
    chart = chart[: chart.index("</svg>")]
    assert chart.count("<circle") == 5  # four commits and the working tree
    assert "<polyline" in chart

    shot = tmp_path / "readiness.png"
    snap = chromium_run(
        chromium, tmp_path / "profile", "--window-size=1100,1300", f"--screenshot={shot}", page_path.as_uri()
    )
    assert snap.returncode == 0, snap.stderr[-2000:]
    assert console_messages(snap.stderr) == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a real page, not a blank one


class WebDriver:
    """Just enough of the W3C WebDriver protocol (over chromedriver) to click and read the console."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.session = ""

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())["value"]

    def open(self, url: str) -> None:
        self.call("POST", f"/session/{self.session}/url", {"url": url})

    def script(self, source: str) -> Any:
        return self.call("POST", f"/session/{self.session}/execute/sync", {"script": source, "args": []})

    def click(self, css: str) -> None:
        element = self.call(
            "POST", f"/session/{self.session}/element", {"using": "css selector", "value": css}
        )
        (element_id,) = element.values()
        self.call("POST", f"/session/{self.session}/element/{element_id}/click", {})

    def console(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.call(
            "POST", f"/session/{self.session}/se/log", {"type": "browser"}
        )
        return entries


@pytest.fixture
def webdriver(chromium: str, tmp_path: Path) -> Iterator[WebDriver]:
    chromedriver = shutil.which("chromedriver")
    if chromedriver is None:
        pytest.skip("chromedriver is not installed (Debian: apt-get install -y chromium-driver)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [chromedriver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    driver = WebDriver(port)
    try:
        for _ in range(300):  # wait for the server to listen (at most about 30 s)
            try:
                if driver.call("GET", "/status")["ready"]:
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        options = {
            "binary": chromium,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--user-data-dir={tmp_path / 'webdriver-profile'}",
            ],
        }
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": {"browser": "ALL"},
        }
        driver.session = driver.call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})[
            "sessionId"
        ]
        yield driver
        driver.call("DELETE", f"/session/{driver.session}")
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_console_log_api_sees_errors(webdriver: WebDriver, tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>x</p><script>console.error('boom'); missingFunction();</script>")
    webdriver.open(bad.as_uri())
    messages = [entry["message"] for entry in webdriver.console() if entry["level"] == "SEVERE"]
    assert any("boom" in m for m in messages) and any("missingFunction" in m for m in messages)


def test_sorting_in_the_browser(webdriver: WebDriver, tmp_path: Path) -> None:
    report = analyze_paths([write_package(tmp_path)], Config())
    page = tmp_path / "page.html"
    page.write_text(html.render(report), encoding="utf-8")
    webdriver.open(page.as_uri())
    assert webdriver.script("return document.documentElement.dataset.pmReady") == "1"
    rows = "return Array.from(document.querySelectorAll('#modules td.path')).map(td => td.textContent)"
    assert webdriver.script(rows) == sorted(m.path for m in report.files)  # the page's own order
    webdriver.click("#modules th:nth-child(2)")  # by score, ascending; a file not analyzed counts as -1
    scores = {m.path: (-1.0 if m.error else m.score) for m in report.files}
    ascending = webdriver.script(rows)
    assert [scores[p] for p in ascending] == sorted(scores.values())
    webdriver.click("#modules th:nth-child(2)")
    assert [scores[p] for p in webdriver.script(rows)] == sorted(scores.values(), reverse=True)
    assert webdriver.console() == []  # no message at all, let alone an error
