"""The course in a real browser: JupyterLab started the way `./streamlab setup` opens it (`./streamlab lab`: loopback,
a token), Debian's headless chromium driven by playwright-core (tools/browser, installed by
`./streamlab install-browser`), the StreamLab kernel from the installed kernelspec.

The test opens tools/browser/lab-check.ipynb (a small reference notebook: no course notebook shows a table, a chart
and a live consume in under a minute), runs all cells from the Run menu and asserts what the page shows: the HTML
table with the expected rows, the chart the %%clickhouse magic draws (a PNG image), and the %kafka consume table
filling in place while the cell runs (at least three distinct versions while it runs, counts rising). A screenshot is kept in
tools/browser/target/lab.png (`./streamlab test` copies it to reports/lab.png).

    ./streamlab install-kernel --prefix /tmp/me/k
    JUPYTER_PATH=/tmp/me/k/share/jupyter .venv/bin/python -m pytest -q tools/test_lab_browser.py

Skipped without chromium, node, playwright-core or the kernelspec; under CI=true a missing browser tool fails.
It waits on the kernel's status and the cells' execution counts, never on fixed sleeps.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
BROWSER_DIR = TOOLS / "browser"
NOTEBOOK = BROWSER_DIR / "lab-check.ipynb"
SCREENSHOT = BROWSER_DIR / "target" / "lab.png"



def kernel_installed(name: str) -> bool:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try:
        KernelSpecManager().get_kernel_spec(name)
        return True
    except NoSuchKernel:
        return False


def require_browser_tools() -> str:
    missing = []
    chromium = shutil.which(os.environ.get("CHROMIUM", "chromium"))
    if chromium is None:
        missing.append("chromium")
    if shutil.which("node") is None:
        missing.append("node")
    if not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        missing.append("playwright-core (npm ci in tools/browser)")
    if missing:
        message = f"the JupyterLab browser test needs {', '.join(missing)}: run ./streamlab install-browser"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: not skipped)")
        pytest.skip(message)
    return chromium


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_up(port: int, token: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture
def lab(tmp_path):
    """JupyterLab on 127.0.0.1 with a token, on a folder holding a copy of the notebook; private Jupyter config,
    settings, workspaces and kernel workspace. Yields (lab URL with token, notebook name, the server's log)."""
    if not kernel_installed("streamlab"):
        pytest.skip("the `streamlab` kernelspec is not installed (./streamlab install-kernel [--prefix DIR], JUPYTER_PATH)")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOK, notebooks / NOTEBOOK.name)
    config = tmp_path / "config"
    # no news pop-up over the notebook, in the page or in the screenshot
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    settings = tmp_path / "settings"
    # every cell rendered in the page (no virtual scrolling), so the outputs are in the DOM
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    token = secrets.token_hex(24)
    port = free_port()
    env = {**os.environ,
           "JUPYTER_TOKEN": token,
           "JUPYTER_CONFIG_DIR": str(config),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
           "STREAMLAB_WORKSPACE": str(tmp_path / "kernel-workspace")}
    log = (tmp_path / "lab.log").open("w")
    started = time.monotonic()
    server = subprocess.Popen(
        [str(REPO / "streamlab"), "lab", "--no-browser", f"--notebook-dir={notebooks}", f"--port={port}",
         "--LabApp.expose_app_in_browser=True"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(600):  # up to 60 s: the server answers /api/status when it is ready
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited ({server.returncode}): {(tmp_path / 'lab.log').read_text()[-2000:]}")
            if server_up(port, token):
                break
            try:
                server.wait(0.1)
            except subprocess.TimeoutExpired:
                pass
        else:
            pytest.fail("JupyterLab did not answer within 60 s: " + (tmp_path / "lab.log").read_text()[-2000:])
        print(f"JupyterLab answered after {time.monotonic() - started:.1f} s")
        yield f"http://127.0.0.1:{port}/lab?token={token}", NOTEBOOK.name, tmp_path / "lab.log"
    finally:
        stopping = time.monotonic()
        # a clean shutdown stops the kernel (and the engines it started); then the process group, if still there
        try:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(req, timeout=10).close()
            server.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
        log.close()
        print(f"JupyterLab and its kernel stopped in {time.monotonic() - stopping:.1f} s")


def test_playwright_core_is_pinned_like_the_dashboard_test():
    """One playwright-core for both browser tests: tools/browser and magics/clickhouse/src/test/browser."""
    dashboard = REPO / "magics" / "clickhouse" / "src" / "test" / "browser"

    def pins(folder: Path) -> tuple[str, str]:
        lock = json.loads((folder / "package-lock.json").read_text())
        return (json.loads((folder / "package.json").read_text())["dependencies"]["playwright-core"],
                lock["packages"]["node_modules/playwright-core"]["integrity"])

    assert pins(BROWSER_DIR) == pins(dashboard)


@pytest.mark.kernel
def test_run_all_in_jupyterlab_shows_table_chart_and_live_consume(lab):
    chromium = require_browser_tools()
    url, notebook, lab_log = lab
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    run = subprocess.run(["node", "lab-check.mjs", url, notebook, chromium, str(SCREENSHOT), "300"],
                         cwd=BROWSER_DIR, capture_output=True, text=True, timeout=420)
    lines = run.stdout.strip().splitlines()
    transcript = "\n".join(lines[:-1]) + "\n" + run.stderr[-2000:]
    assert lines and lines[-1].startswith("{"), f"no result from the browser script:\n{run.stdout}\n{run.stderr}"
    page = json.loads(lines[-1])
    assert run.returncode == 0 and "error" not in page, \
        f"{page.get('error')}\n{transcript}\nJupyterLab's log:\n{lab_log.read_text()[-3000:]}\nscreenshot: {SCREENSHOT}"
    assert page["kernel"] == "streamlab"
    assert page["pageErrors"] == [], page["pageErrors"]
    cells = page["cells"]
    failed = [(c["source"], c["errors"]) for c in cells if c["errors"]]
    assert not failed, f"cells failed in the browser: {failed}"
    assert all(isinstance(c["executionCount"], int) and c["prompt"] == f"[{c['executionCount']}]:" for c in cells), \
        [(c["source"], c["prompt"]) for c in cells]

    def cell(first_line: str) -> dict:
        found = [c for c in cells if c["source"] == first_line]
        assert len(found) == 1, f"{first_line!r} in {[c['source'] for c in cells]}"
        return found[0]

    # the table: revenue per shop of numbers 0..99 split by number % 4
    table_cells = [c for c in cells if c["source"] == "%%clickhouse" and c["tables"]]
    assert len(table_cells) == 1, [(c["source"], c["text"]) for c in cells]
    [table] = table_cells[0]["tables"]
    assert table["header"] == ["shop", "revenue"], table
    assert table["rows"] == [[f"shop{s}", str(sum(n for n in range(100) if n % 4 == s))] for s in range(4)], table

    # the chart: the magic's PNG, decoded by the browser at a real size and shown
    chart = cell("%%clickhouse --chart bar --x shop --y revenue")
    images = [i for i in chart["images"] if i["tag"] == "img"]
    assert len(images) == 1, chart
    assert images[0]["src"].startswith("data:image/png") and images[0]["width"] >= 200 and images[0]["height"] >= 100 \
        and images[0]["shownWidth"] > 0, images

    # the live consume: the table changed in place while the cell ran, its count rising to 20
    consume = cell("%kafka consume ticks --group live --from-beginning --max 20 --timeout 120")
    live = page["liveCaptions"]
    counts = [int(c.split(": ")[1].split(" ")[0]) for c in live if "consuming" in c]
    assert len(counts) >= 3, f"the live table should change at least twice while the cell runs; the page showed {live}"
    assert counts == sorted(counts) and len(set(counts)) == len(counts) and counts[0] < 20, live
    assert "consumed 20 records from ticks" in consume["text"], consume["text"]
    [final] = consume["tables"]
    assert final["caption"].startswith("20 records from ticks (--max 20 reached)"), final
    assert len(final["rows"]) == 20 and final["rows"][0][final["header"].index("key")] == "tick-1", final

    print(transcript.strip())
    print(f"live table versions seen by the page: {len(live)}; counts while consuming: {counts}")
    assert SCREENSHOT.stat().st_size > 20_000, f"a real screenshot: {SCREENSHOT.stat().st_size} bytes"
