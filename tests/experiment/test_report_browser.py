"""The report of a real run in a real browser: headless Chromium at 1400 px takes a screenshot
and measures the laid-out page (every ``<details>`` opened): nothing wider than the window,
the glance on the first screen, the sections in order.

Skipped only when no Chromium is found and ``WHYALIGN_REQUIRE_BROWSER`` is unset (CI sets it).
"""

import html
import json
import os
import re
import shutil
import struct
import subprocess

import pytest

WIDTH, HEIGHT = 1400, 900
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--window-size={WIDTH},{HEIGHT}",
]

# Runs once the page and its images are laid out; writes what it measured into the DOM,
# which --dump-dom prints.
MEASURE = """<script>
window.addEventListener('load', () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const view = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > view + 0.5 || r.left < -0.5) wide.push(el.tagName + ' ' + Math.round(r.right));
  }
  const glance = document.getElementById('glance').getBoundingClientRect();
  const out = document.createElement('pre');
  out.id = 'layout';
  out.textContent = JSON.stringify({
    view, scroll: document.documentElement.scrollWidth, wide,
    sections: [...document.querySelectorAll('section')].map(s => s.id),
    glance_top: glance.top, screen: window.innerHeight,
  });
  document.body.appendChild(out);
});
</script>"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if path := shutil.which(name):
            return path
    return None


@pytest.fixture(scope="module")
def chromium():
    path = _chromium()
    if path is None:
        if os.environ.get("WHYALIGN_REQUIRE_BROWSER"):
            pytest.fail("WHYALIGN_REQUIRE_BROWSER is set but no Chromium was found")
        pytest.skip("no Chromium (set WHYALIGN_REQUIRE_BROWSER to make this a failure)")
    return path


def _browse(chromium: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    return subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
    )


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_report_at_1400_px(micro, chromium, tmp_path):
    _, run_dir, _ = micro
    page = run_dir / "report" / "index.html"
    shot = tmp_path / "report.png"
    proc = _browse(chromium, tmp_path, f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), proc.stderr[-2000:]
    assert _png_size(shot.read_bytes()) == (WIDTH, HEIGHT)

    measured = tmp_path / "measure.html"
    measured.write_text(page.read_text().replace("</body>", MEASURE + "</body>"))
    proc = _browse(chromium, tmp_path, "--dump-dom", measured.as_uri())
    found = re.search(r'<pre id="layout">(.*?)</pre>', proc.stdout, re.S)
    assert found, proc.stderr[-2000:]
    layout = json.loads(html.unescape(found.group(1)))
    assert WIDTH - 40 <= layout["view"] <= WIDTH  # the window less any scroll bar
    assert layout["scroll"] <= layout["view"], layout  # no sideways scrolling
    assert layout["wide"] == [], layout["wide"][:10]
    assert layout["sections"] == ["glance", "rates", "details"]
    assert 0 <= layout["glance_top"] < layout["screen"] / 2  # the answer is what one sees first
