#!/usr/bin/env python3
"""Grade the course notebooks: execute each one headlessly and report every `%%check`.

    python3 tools/grade.py                         # every notebooks/**/*.ipynb with the streamlab kernel
    python3 tools/grade.py notebooks/phase1/01-production-java-types.ipynb --timeout 120
    python3 tools/grade.py --learner               # grade the learner versions: every check must FAIL

Each notebook runs in a child process of its own (a new session, so a new process group) that starts a
fresh kernel through nbclient, with STREAMLAB_WORKSPACE set to a new, empty folder. All cells run, also
after a failing one, so every check gets its own result. The child writes what it saw after every cell;
when the per-notebook timeout expires the parent kills the child's process group and the kernel's (Jupyter
starts kernels in a session of their own), so the grader never hangs and always writes its report:

    reports/grade.xml   JUnit XML: a testsuite per notebook, a testcase per check
    reports/grade.md    the same as Markdown, failures with notebook, cell index and reason

A check cell is a code cell whose source starts with `%%check NAME`. It passes when the cell ran without an
error output (the kernel prints `PASS NAME`); it fails with the reason the kernel gave (`FAIL NAME: ...`,
an exception, a compile error), or because it was never reached (timeout, dead kernel). An error in a cell
that is not a check is reported as a failure of the notebook itself (a testcase named "(notebook)").

With --learner the learner versions (tools/learner.py) are graded instead, and the expectation is reversed:
a check passes the grading when it FAILS on the stubbed solutions (a check that passes on a stub cannot tell
a learner anything). Errors outside checks are expected there; timeouts and dead kernels still fail.
The reports are then named grade-learner.xml / grade-learner.md.

With --runs N every notebook runs N times against the SAME workspace (a fresh kernel each time): what the first
run created (topics, tables, checkpoints, files) is still there for the second, as when a learner presses "Run All"
again. Each run is reported on its own (`(run 2)` after the check names). `./streamlab test` grades with --runs 2.

A learner's submission (a notebook under course/, or any notebook with --reference REF) is graded with the
reference's `%%check` cells: every check cell of the submission is replaced by the reference's cell of the same
name, a deleted check is put back (before the next check the submission still has), so a check the learner edited
or deleted cannot pass. Checks the reference does not have are not graded (they still run as cells).

The last line printed is `N passed, N failed` (checks, plus notebook-level failures); the exit code is 1 when
anything failed, 2 on bad usage.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import datetime as _dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))
DEFAULT_KERNEL = "streamlab"
DEFAULT_TIMEOUT = 300.0  # seconds per notebook, unless the notebook's metadata.streamlab.grade_timeout says more
STARTUP_TIMEOUT = 120.0
KILL_GRACE = 5.0

CHECK_RE = re.compile(r"\A\s*%%check[ \t]+(?P<name>\S+)")
PASS_RE = re.compile(r"^PASS (?P<name>\S+)\s*$", re.M)
FAIL_RE = re.compile(r"^FAIL (?P<name>[^:\s]+):?\s?(?P<msg>.*)$", re.M)
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --------------------------------------------------------------------------------------------- model

@dataclass
class CheckResult:
    name: str
    cell: int
    status: str = "not run"  # passed | failed | not run
    reason: str = ""
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "passed"


@dataclass
class NotebookResult:
    path: str                      # the notebook as named in the report (the reference path)
    executed: str = ""             # the file actually executed (differs with --learner)
    checks: list[CheckResult] = field(default_factory=list)
    cell_errors: list[dict] = field(default_factory=list)  # {"cell": i, "reason": "..."} outside checks
    problem: str = ""              # timeout / dead kernel / crash: why the run stopped early
    duration: float = 0.0
    finished: bool = False
    log: str = ""
    interrupted: str = ""          # "interrupted" / "terminated" when the grader itself was stopped
    run: int = 1                   # which run of the notebook in its workspace (--runs)
    workspace: str = ""            # the workspace folder the run used
    runs: int = 1

    @property
    def label(self) -> str:
        """The notebook as named in reports: its path, and which run when it ran more than once."""
        return self.path if self.runs == 1 else f"{self.path} (run {self.run})"

    def check(self, name: str) -> CheckResult | None:
        return next((c for c in self.checks if c.name == name), None)


@dataclass
class Outcome:
    """One graded item: a check, or the notebook itself."""
    notebook: str
    name: str
    ok: bool
    duration: float
    cell: int | None
    reason: str


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def find_checks(nb: dict) -> list[CheckResult]:
    """The `%%check NAME` cells of a notebook, in order."""
    checks = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "code":
            m = CHECK_RE.match(cell_source(cell))
            if m:
                checks.append(CheckResult(m.group("name"), index))
    return checks


def with_reference_checks(submission: dict, reference: dict) -> tuple[dict, list[str]]:
    """The submission with the reference's check cells, so that only the reference decides what passes.

    Every `%%check NAME` cell of the submission whose NAME the reference has is replaced by the reference's cell
    (so an edited check is undone). A reference check the submission lacks is put back just before the next check
    the submission still has, or at the end (the code cells of its section come before it, as in the reference).
    A second cell with the same check name, and checks the reference does not have, become plain cells: they
    still run but are not graded. Returns the new notebook and one note per change."""
    import copy
    nb = copy.deepcopy(submission)
    ref_cells = {}
    for cell in reference.get("cells", []):
        m = CHECK_RE.match(cell_source(cell)) if cell.get("cell_type") == "code" else None
        if m and m.group("name") not in ref_cells:
            ref_cells[m.group("name")] = cell
    notes: list[str] = []
    seen: set[str] = set()
    cells = []
    for cell in nb.get("cells", []):
        m = CHECK_RE.match(cell_source(cell)) if cell.get("cell_type") == "code" else None
        if not m:
            cells.append(cell)
            continue
        name = m.group("name")
        if name in ref_cells and name not in seen:
            seen.add(name)
            if cell_source(cell) != cell_source(ref_cells[name]):
                notes.append(f"check {name}: the submission changed it; graded with the reference's cell")
            cells.append(_check_cell(ref_cells[name]))
        else:
            why = "a second cell named" if name in seen else "not a check of the reference:"
            notes.append(f"check {name}: {why} {name}, run as a plain cell, not graded")
            plain = copy.deepcopy(cell)
            plain["source"] = "// (not graded) " + cell_source(cell).lstrip()
            cells.append(plain)
    # put back the deleted checks, in the reference's order, before the next check that is present
    order = list(ref_cells)
    for i, name in enumerate(order):
        if name in seen:
            continue
        later = set(order[i + 1:]) & seen
        at = next((k for k, c in enumerate(cells) if c.get("cell_type") == "code"
                   and (m := CHECK_RE.match(cell_source(c))) and m.group("name") in later), len(cells))
        cells.insert(at, _check_cell(ref_cells[name]))
        seen.add(name)
        notes.append(f"check {name}: missing from the submission; the reference's cell was put back")
    nb["cells"] = cells
    return nb, notes


def _check_cell(reference_cell: dict) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": cell_source(reference_cell)}


def reference_of(notebook: Path, explicit: Path | None = None) -> Path | None:
    """The reference notebook a learner's submission is graded against: --reference, else the notebook of the same
    path under notebooks/ when the submission sits in the generated course folder (course/PHASE/NAME.ipynb)."""
    if explicit is not None:
        return explicit
    import learner as learner_mod
    try:
        rel = notebook.resolve().relative_to(learner_mod.COURSE_DIR.resolve())
    except ValueError:
        return None
    if rel.parts and rel.parts[0] == learner_mod.SOLUTIONS_DIR_NAME:
        return None  # the copies of the references grade as themselves
    ref = learner_mod.NOTEBOOKS_DIR / rel
    return ref if ref.is_file() else None


def _strip_ansi(text: str) -> str:
    return ANSI_RE.sub("", text)


def error_reason(outputs: list[dict]) -> str | None:
    """The reason of the first error output, or None when the cell has none."""
    for out in outputs:
        if out.get("output_type") == "error":
            ename = out.get("ename", "") or "Error"
            evalue = _strip_ansi(out.get("evalue", "") or "").strip()
            reason = f"{ename}: {evalue}" if evalue else ename
            if not evalue:
                tb = [_strip_ansi(t).strip() for t in out.get("traceback", []) if t.strip()]
                if tb:
                    reason += ": " + " | ".join(tb[:3])
            return reason
    return None


def stream_text(outputs: list[dict]) -> str:
    return "".join(cell_source({"source": o.get("text", "")}) for o in outputs if o.get("output_type") == "stream")


def judge_check(name: str, outputs: list[dict]) -> tuple[bool, str]:
    """Did check NAME pass, judged from its cell's outputs; and if not, why."""
    text = _strip_ansi(stream_text(outputs))
    err = error_reason(outputs)
    fail_msg = next((m.group("msg").strip() for m in FAIL_RE.finditer(text) if m.group("name") == name), None)
    if err is None and fail_msg is None:
        if any(m.group("name") == name for m in PASS_RE.finditer(text)):
            return True, ""
        return False, f"the cell printed no 'PASS {name}' line"
    if fail_msg is not None:
        return False, fail_msg or (err or "FAIL")
    return False, err


def outcomes(result: NotebookResult, learner: bool = False) -> list[Outcome]:
    """The graded items of one notebook run. In learner mode a check is OK when it did NOT pass."""
    items = []
    suffix = "" if result.runs == 1 else f" (run {result.run})"
    for c in result.checks:
        if learner:
            if c.status == "passed":
                ok, reason = False, "this check PASSED on the learner version: it cannot fail, so it cannot grade"
            elif c.status == "not run":
                ok, reason = False, c.reason or "never ran"
            else:
                ok, reason = True, c.reason  # how it failed, shown in the Markdown report
        else:
            ok, reason = c.ok, c.reason
        items.append(Outcome(result.label, c.name + suffix, ok, c.duration, c.cell, reason))
    problems = []
    if result.problem:
        problems.append(result.problem)
    if not learner:
        problems += [f"cell {e['cell']}: {e['reason']}" for e in result.cell_errors]
    if problems:
        cell = _problem_cell(result.problem) if result.problem else None
        if cell is None and result.cell_errors and not learner:
            cell = result.cell_errors[0]["cell"]
        items.append(Outcome(result.label, "(notebook)" + suffix, False, result.duration, cell, "; ".join(problems)))
    elif not result.checks:
        items.append(Outcome(result.label, "(notebook)" + suffix, True, result.duration, None, ""))
    return items


def _problem_cell(problem: str) -> int | None:
    m = re.search(r"cell (\d+)", problem)
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------------------------- child side

def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def run_one(notebook: Path, kernel: str, result_path: Path, cwd: Path, cell_timeout: float,
            executed_out: Path | None = None) -> int:
    """Child process: execute one notebook cell by cell, recording after each cell."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from jupyter_client.manager import AsyncKernelManager

    nb = nbformat.read(str(notebook), as_version=4)
    state: dict = {"cells": {}, "kernel_pid": None, "finished": False, "problem": "", "current": None}
    _write_json(result_path, state)

    class RecordingKernelManager(AsyncKernelManager):
        """Records the kernel's pid the moment it is launched (before it is ready), so that a grader that kills
        this run during a slow or stuck kernel start-up can kill the kernel too (it runs in a session of its own)."""

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            await super()._async_launch_kernel(kernel_cmd, **kw)
            state["kernel_pid"] = getattr(self.provisioner, "pid", None)
            _write_json(result_path, state)

    client = NotebookClient(nb, kernel_name=kernel, timeout=int(max(1, cell_timeout)),
                            startup_timeout=int(STARTUP_TIMEOUT), allow_errors=True,
                            kernel_manager_class=RecordingKernelManager,
                            resources={"metadata": {"path": str(cwd)}})
    try:
        with client.setup_kernel():
            if state["kernel_pid"] is None:
                state["kernel_pid"] = getattr(getattr(client.km, "provisioner", None), "pid", None)
                _write_json(result_path, state)
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                state["current"] = index
                _write_json(result_path, state)
                t0 = time.monotonic()
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    state["problem"] = f"cell {index} timed out after {cell_timeout:.0f} s"
                    break
                except DeadKernelError:
                    state["problem"] = f"the kernel died while executing cell {index}"
                    break
                finally:
                    state["cells"][str(index)] = {"duration": time.monotonic() - t0,
                                                  "outputs": [dict(o) for o in cell.get("outputs", [])]}
                    _write_json(result_path, state)
    except DeadKernelError as e:
        state["problem"] = state["problem"] or f"the kernel died: {e}"
    except RuntimeError as e:  # e.g. kernel failed to start
        state["problem"] = state["problem"] or f"kernel '{kernel}' failed: {e}"
    except Exception as e:  # noqa: BLE001 - anything else is reported, never raised past the report
        state["problem"] = state["problem"] or f"{type(e).__name__}: {e}"
    state["finished"] = not state["problem"]
    state["current"] = None
    _write_json(result_path, state)
    if executed_out is not None:
        try:
            executed_out.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(executed_out))
        except Exception:  # noqa: BLE001
            pass
    return 0


# --------------------------------------------------------------------------------------------- parent side

def _kill_group(pgid: int | None, sig: int) -> None:
    if not pgid or pgid <= 1:
        return
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is as good as dead
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _read_state(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def kill_tree(child: subprocess.Popen, extra_pids: list[int]) -> None:
    """Kill the child's process group and the groups led by extra_pids (the kernel), TERM then KILL."""
    groups = [child.pid] + [p for p in extra_pids if p]
    for g in groups:
        _kill_group(g, signal.SIGTERM)
    deadline = time.monotonic() + KILL_GRACE
    while time.monotonic() < deadline:
        if child.poll() is not None and not any(_pid_alive(p) for p in groups[1:]):
            break
        time.sleep(0.1)
    for g in groups:
        _kill_group(g, signal.SIGKILL)
    try:
        child.wait(timeout=KILL_GRACE)
    except subprocess.TimeoutExpired:
        pass


def slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", path).strip("_") or "notebook"


def display_path(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(REPO))
    except ValueError:
        return str(p)


def notebook_timeout(nb: dict, cli_timeout: float | None) -> float:
    if cli_timeout is not None:
        return cli_timeout
    meta = nb.get("metadata", {}).get("streamlab", {}) or {}
    try:
        return float(meta.get("grade_timeout", DEFAULT_TIMEOUT))
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT


def grade_notebook(executed: Path, report_name: str, *, kernel: str, timeout: float, report_dir: Path,
                   cwd: Path, runner: list[str] | None = None, keep_workspace: bool = False,
                   log_name: str | None = None, run: int = 1, runs: int = 1) -> NotebookResult:
    """Run one notebook in an isolated child process and collect its result (never raises, never hangs).

    Run 1 starts from a new, empty workspace; runs 2..N reuse the workspace the previous run left (the workspace
    is removed after the last run only, and only when every run passed)."""
    executed = Path(executed).resolve()
    result = NotebookResult(path=report_name, executed=str(executed), run=run, runs=runs)
    try:
        with open(executed, encoding="utf-8") as f:
            nb = json.load(f)
    except (OSError, ValueError) as e:
        result.problem = f"cannot read the notebook: {e}"
        return result
    result.checks = find_checks(nb)
    check_cells = {c.cell: c for c in result.checks}

    workspace = report_dir / "workspaces" / slug(log_name or report_name)
    name = slug(log_name or report_name) + ("" if runs == 1 else f".run{run}")
    if run == 1:
        shutil.rmtree(workspace, ignore_errors=True)
    workspace.mkdir(parents=True, exist_ok=True)
    logs = report_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    state_path = logs / f"{name}.state.json"
    log_path = logs / f"{name}.log"
    result.log = display_path(log_path)
    state_path.unlink(missing_ok=True)

    env = dict(os.environ)
    env["STREAMLAB_WORKSPACE"] = str(workspace)
    env["PYTHONUNBUFFERED"] = "1"
    argv = runner or [sys.executable, str(Path(__file__).resolve()), "--run-one", str(executed)]
    argv = argv + ["--kernel", kernel, "--state", str(state_path), "--cwd", str(cwd),
                   "--cell-timeout", str(timeout), "--executed-out", str(logs / f"{name}.executed.ipynb")]
    t0 = time.monotonic()
    with open(log_path, "wb") as log:
        try:
            child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                     env=env, cwd=str(cwd), start_new_session=True)
        except OSError as e:
            result.problem = f"cannot start the notebook runner: {e}"
            return result
        timed_out = False
        _STOP.started(child, state_path)
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        except (KeyboardInterrupt, _Terminated) as e:  # the grader itself is stopped: take child and kernel along
            _STOP.request("terminated" if isinstance(e, _Terminated) else "interrupted")
        finally:
            _STOP.ended(child)
        if child.pid in _STOP.killed:  # grading was stopped while this run ran: not the notebook's failure
            result.interrupted, timed_out = _STOP.reason, False
        state = _read_state(state_path)
        kernel_pid = state.get("kernel_pid")
        # also after a normal exit: sweep both groups, so no kernel (or a server it started) outlives its run
        kill_tree(child, [kernel_pid] if kernel_pid else [])
    result.duration = time.monotonic() - t0
    state = _read_state(state_path)
    cells = state.get("cells", {})

    for index_str, info in cells.items():
        index = int(index_str)
        outputs = info.get("outputs", [])
        if index in check_cells:
            c = check_cells[index]
            c.duration = float(info.get("duration", 0.0))
            passed, reason = judge_check(c.name, outputs)
            c.status, c.reason = ("passed", "") if passed else ("failed", reason)
        else:
            reason = error_reason(outputs)
            if reason:
                result.cell_errors.append({"cell": index, "reason": reason})
    result.cell_errors.sort(key=lambda e: e["cell"])

    if result.interrupted:
        current = state.get("current")
        where = f" (in cell {current})" if current is not None else ""
        result.problem = f"grading was {result.interrupted} while this notebook ran{where}"
    elif timed_out:
        current = state.get("current")
        where = f" in cell {current}" if current is not None else ""
        result.problem = f"timed out after {timeout:.0f} s{where}; the process group was killed"
    elif state.get("problem"):
        result.problem = state["problem"]
    elif not state.get("finished"):
        tail = _tail(log_path)
        result.problem = f"the notebook runner exited with code {child.returncode} before finishing" + (
            f": {tail}" if tail else "")
    result.finished = bool(state.get("finished")) and not timed_out
    for c in result.checks:
        if c.status == "not run":
            c.reason = f"not run: {_short(result.problem)}" if result.problem else "not run"
    if result.finished and not result.cell_errors and all(c.ok for c in result.checks) and not keep_workspace:
        shutil.rmtree(workspace, ignore_errors=True)
    result.workspace = str(workspace)
    return result


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(t.strip() for t in text[-lines:])


# --------------------------------------------------------------------------------------------- reports

def write_junit(results: list[NotebookResult], path: Path, learner: bool) -> None:
    suites = ET.Element("testsuites", name="streamlab-grade-learner" if learner else "streamlab-grade")
    total = failed = 0
    total_time = 0.0
    for r in results:
        items = outcomes(r, learner)
        nfail = sum(not i.ok for i in items)
        suite = ET.SubElement(suites, "testsuite", name=r.label, tests=str(len(items)), failures=str(nfail),
                              errors="0", skipped="0", time=f"{r.duration:.3f}")
        classname = re.sub(r"\.ipynb$", "", r.path).replace("/", ".")
        for i in items:
            case = ET.SubElement(suite, "testcase", classname=classname,
                                 name=i.name if i.name.startswith("(notebook)") else f"check {i.name}",
                                 time=f"{i.duration:.3f}")
            if not i.ok:
                where = f"cell {i.cell}: " if i.cell is not None and not i.reason.startswith("cell ") else ""
                msg = f"{r.label}: {where}{i.reason}"
                fail = ET.SubElement(case, "failure", message=msg[:1000], type="CheckFailed")
                fail.text = msg + (f"\nlog: {r.log}" if r.log else "")
        total += len(items)
        failed += nfail
        total_time += r.duration
    suites.set("tests", str(total))
    suites.set("failures", str(failed))
    suites.set("errors", "0")
    suites.set("time", f"{total_time:.3f}")
    ET.indent(suites)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_markdown(results: list[NotebookResult], path: Path, learner: bool, kernel: str) -> None:
    all_items = [i for r in results for i in outcomes(r, learner)]
    passed = sum(i.ok for i in all_items)
    failed = len(all_items) - passed
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [f"# Grade report{' (learner versions: every check must fail)' if learner else ''}", "",
             f"{when}, kernel `{kernel}`: **{passed} passed, {failed} failed**", "",
             "| notebook | passed | failed | time (s) | status |", "| --- | ---: | ---: | ---: | --- |"]
    for r in results:
        items = outcomes(r, learner)
        nf = sum(not i.ok for i in items)
        status = "ok" if nf == 0 else ("**" + _md(r.problem.split(";")[0]) + "**" if r.problem else "**failed**")
        lines.append(f"| `{r.label}` | {len(items) - nf} | {nf} | {r.duration:.1f} | {status} |")
    for r in results:
        lines += ["", f"## `{r.label}`", ""]
        if r.problem:
            lines += [f"Stopped early: {_md(r.problem)}", ""]
        lines += ["| check | cell | result | time (s) | reason |", "| --- | ---: | --- | ---: | --- |"]
        for i in outcomes(r, learner):
            if learner and not i.name.startswith("(notebook)"):
                res = "failed as expected" if i.ok else "**PASSED on the stub**" if "PASSED" in i.reason else "**not run**"
            else:
                res = "pass" if i.ok else "**FAIL**"
            cell = "" if i.cell is None else str(i.cell)
            lines.append(f"| `{i.name}` | {cell} | {res} | {i.duration:.2f} | {_md(i.reason)} |")
        if r.log:
            lines += ["", f"Kernel and runner log: `{r.log}`"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------- main

def collect(paths: list[Path]) -> list[Path]:
    if not paths:
        paths = [REPO / "notebooks"]
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            import learner as learner_mod
            found += learner_mod.find_notebooks(p)  # skips checkpoints and executed copies (*.out.ipynb, ...)
        else:
            found.append(p)
    return found


class _Stop:
    """Why grading stops early ("interrupted" / "terminated"), seen by every worker, and the runs to kill then.
    Signals reach the main thread only; it kills the running notebooks' process groups, so their workers return."""

    def __init__(self) -> None:
        self.reason = ""
        self._lock = threading.Lock()
        self._running: dict[int, tuple[subprocess.Popen, Path]] = {}
        self.killed: set[int] = set()  # runner pids this stop killed

    def started(self, child: subprocess.Popen, state_path: Path) -> None:
        with self._lock:
            self._running[child.pid] = (child, state_path)

    def ended(self, child: subprocess.Popen) -> None:
        with self._lock:
            self._running.pop(child.pid, None)

    def request(self, reason: str) -> None:
        with self._lock:
            self.reason = self.reason or reason
            running = list(self._running.values())
            self.killed.update(child.pid for child, _ in running)
        for child, state_path in running:
            kernel_pid = _read_state(state_path).get("kernel_pid")
            kill_tree(child, [kernel_pid] if kernel_pid else [])

    def reset(self) -> None:
        with self._lock:
            self.reason = ""
            self._running.clear()
            self.killed.clear()


_STOP = _Stop()


def grade(notebooks: list[Path], *, kernel: str, timeout: float | None, report_dir: Path, learner: bool,
          runner: list[str] | None = None, keep_workspaces: bool = False, runs: int = 1,
          reference: Path | None = None, echo=print, jobs: int = 1) -> tuple[list[NotebookResult], int, int]:
    """Grade the notebooks, `jobs` of them at a time (each in its own workspace and kernel; the runs of one
    notebook always one after the other); results are reported in the order given."""
    report_dir = Path(report_dir).resolve()
    learner_dir = report_dir / "learner"
    if learner:
        shutil.rmtree(learner_dir, ignore_errors=True)
    _STOP.reset()

    def grade_one(nb_path: Path) -> list[NotebookResult]:
        name = display_path(nb_path)
        if _STOP.reason:
            return [NotebookResult(path=name, problem=f"not run: grading was {_STOP.reason}")]
        executed = nb_path
        ref_path = reference_of(nb_path, reference)
        if ref_path is not None and not learner:
            try:
                submission = json.loads(Path(nb_path).read_text(encoding="utf-8"))
                graded, notes = with_reference_checks(submission, json.loads(ref_path.read_text(encoding="utf-8")))
            except (OSError, ValueError) as e:
                r = NotebookResult(path=name, problem=f"cannot read the submission or its reference: {e}")
                echo(f"[grade] {name}: {r.problem}")
                return [r]
            executed = report_dir / "submissions" / (slug(name) + ".ipynb")
            executed.parent.mkdir(parents=True, exist_ok=True)
            executed.write_text(json.dumps(graded, indent=1, ensure_ascii=False), encoding="utf-8")
            echo(f"[grade] {name}: graded with the checks of {display_path(ref_path)}")
            for note in notes:
                echo(f"[grade]   {note}")
        if learner:
            import learner as learner_mod  # tools/learner.py
            try:
                executed, _ = learner_mod.write_learner_version(nb_path, learner_dir)
            except (learner_mod.LearnerError, OSError, ValueError) as e:
                r = NotebookResult(path=name, problem=f"cannot write the learner version: {e}")
                echo(f"[grade] {name}: {r.problem}")
                return [r]
        try:
            with open(nb_path, encoding="utf-8") as f:
                nb_timeout = notebook_timeout(json.load(f), timeout)
        except (OSError, ValueError):
            nb_timeout = timeout or DEFAULT_TIMEOUT
        results: list[NotebookResult] = []
        for run in range(1, runs + 1):
            if _STOP.reason:
                break
            r = NotebookResult(path=name, run=run, runs=runs)
            echo(f"[grade] {r.label} ({'learner version, ' if learner else ''}timeout {nb_timeout:.0f} s) ...")
            r = grade_notebook(executed, name, kernel=kernel, timeout=nb_timeout, report_dir=report_dir,
                               cwd=nb_path.resolve().parent, runner=runner,
                               keep_workspace=keep_workspaces or run < runs,
                               log_name=("learner/" + name) if learner else None, run=run, runs=runs)
            results.append(r)
            items = outcomes(r, learner)
            nf = sum(not i.ok for i in items)
            echo(f"[grade] {r.label}: {len(items) - nf} passed, {nf} failed in {r.duration:.1f} s"
                 + (f" ({r.problem})" if r.problem else ""))
            for i in items:
                if not i.ok:
                    where = f" (cell {i.cell})" if i.cell is not None and not i.reason.startswith("cell ") else ""
                    echo(f"[grade]   FAIL {i.name}{where}: {i.reason}")
        return results

    per_notebook: list[list[NotebookResult]] = [[] for _ in notebooks]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(grade_one, nb): i for i, nb in enumerate(notebooks)}
        pending = set(futures)
        while pending:
            try:
                done, pending = concurrent.futures.wait(pending, timeout=0.5)
            except (KeyboardInterrupt, _Terminated) as e:  # signals arrive here, in the main thread
                _STOP.request("terminated" if isinstance(e, _Terminated) else "interrupted")
                continue
            for f in done:
                per_notebook[futures[f]] = f.result()
    results = [r for rs in per_notebook for r in rs]
    suffix = "-learner" if learner else ""
    write_junit(results, report_dir / f"grade{suffix}.xml", learner)
    write_markdown(results, report_dir / f"grade{suffix}.md", learner, kernel)
    items = [i for r in results for i in outcomes(r, learner)]
    passed = sum(i.ok for i in items)
    return results, passed, len(items) - passed


class _Terminated(Exception):
    """SIGTERM turned into an exception, so the report is still written."""


def _on_sigterm(signum, frame):  # noqa: ARG001
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once is enough: let the clean-up and the report finish
    raise _Terminated()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Execute notebooks headlessly and grade their %%check cells.")
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks or folders (default: notebooks/)")
    parser.add_argument("--timeout", type=float, default=None,
                        help=f"seconds per notebook (default: metadata.streamlab.grade_timeout or {DEFAULT_TIMEOUT:.0f})")
    parser.add_argument("--kernel", default=DEFAULT_KERNEL, help="kernelspec name (default: streamlab)")
    parser.add_argument("--report-dir", type=Path, default=REPO / "reports", help="default: reports/")
    parser.add_argument("--learner", action="store_true",
                        help="grade the learner versions; every check is expected to fail")
    parser.add_argument("--keep-workspaces", action="store_true", help="keep workspaces of passing notebooks")
    parser.add_argument("--jobs", type=int, default=1,
                        help="grade N notebooks at a time, each with its own kernel and workspace (default: 1)")
    parser.add_argument("--runs", type=int, default=1,
                        help="run each notebook N times in the same workspace, a fresh kernel each time (default: 1)")
    parser.add_argument("--reference", type=Path, default=None,
                        help="grade the given notebook as a learner's submission with this reference's checks "
                             "(automatic for notebooks under course/)")
    # internal: the child process that runs one notebook
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cwd", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cell-timeout", type=float, default=DEFAULT_TIMEOUT, help=argparse.SUPPRESS)
    parser.add_argument("--executed-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run_one:
        return run_one(args.run_one, args.kernel, args.state, args.cwd or args.run_one.parent,
                       args.cell_timeout, args.executed_out)

    notebooks = collect(args.paths)
    missing = [p for p in notebooks if not p.is_file()]
    if missing:
        print(f"error: no such notebook: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    if not notebooks:
        print("error: no notebooks found", file=sys.stderr)
        return 2
    if args.timeout is not None and args.timeout <= 0:
        print("error: --timeout must be positive", file=sys.stderr)
        return 2
    if args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    if args.runs < 1:
        print("error: --runs must be at least 1", file=sys.stderr)
        return 2
    if args.reference is not None and (len(notebooks) != 1 or not args.reference.is_file()):
        print("error: --reference REF grades one submission: give one notebook and an existing reference",
              file=sys.stderr)
        return 2
    args.report_dir.mkdir(parents=True, exist_ok=True)
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
        try:
            KernelSpecManager().get_kernel_spec(args.kernel)
        except NoSuchKernel:
            print(f"[grade] warning: no kernelspec named '{args.kernel}' (install it: ./streamlab install-kernel); "
                  "every notebook will fail", file=sys.stderr)
    except ImportError:
        print("error: jupyter_client is missing: pip install -r tools/requirements.txt", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _on_sigterm)
    _, passed, failed = grade(notebooks, kernel=args.kernel, timeout=args.timeout, report_dir=args.report_dir,
                              learner=args.learner, keep_workspaces=args.keep_workspaces, runs=args.runs,
                              reference=args.reference, jobs=args.jobs)
    suffix = "-learner" if args.learner else ""
    print(f"[grade] reports: {display_path(args.report_dir / f'grade{suffix}.xml')}, "
          f"{display_path(args.report_dir / f'grade{suffix}.md')}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
