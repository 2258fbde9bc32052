"""Tests of the course tooling: tools/learner.py, tools/grade.py, datasets/.

    pip install -r tools/requirements.txt
    pytest tools/test_tools.py                      # everything; kernel tests skip if `streamlab` is not installed
    pytest tools/test_tools.py -m "not notebooks"   # without grading the whole course (slow)
    pytest tools/test_tools.py -m notebooks         # only: every reference passes, every learner version fails

Markers used: `kernel` (needs the installed `streamlab` kernelspec), `notebooks` (grades every course notebook
twice with the real kernel; slow). Grader tests that need a real Jupyter kernel but not the JVM use ipykernel's
`python3` kernel with a `%%check` cell magic defined in the notebook itself.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
sys.path.insert(0, str(TOOLS))

import grade  # noqa: E402
import learner  # noqa: E402
import variants  # noqa: E402


def kernel_installed(name: str) -> bool:
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return False
    try:
        KernelSpecManager().get_kernel_spec(name)
        return True
    except NoSuchKernel:
        return False


HAS_STREAMLAB = kernel_installed("streamlab")
HAS_PYTHON_KERNEL = kernel_installed("python3")
needs_streamlab = pytest.mark.skipif(
    not HAS_STREAMLAB,
    reason="the `streamlab` kernelspec is not installed (install it with the ./streamlab entry script, see README)")
needs_python_kernel = pytest.mark.skipif(not HAS_PYTHON_KERNEL,
                                         reason="ipykernel's python3 kernelspec is not installed")


def code(src: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": src}


def markdown(src: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": src}


def notebook(cells: list[dict], kernel: str = "streamlab", language: str = "java") -> dict:
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": kernel, "display_name": kernel, "language": language}},
            "cells": cells}


def write_nb(path: Path, nb: dict) -> Path:
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


# ============================================================================================ learner.py

SOLVE = textwrap.dedent("""\
    static int solve(int[] xs) {
        // BEGIN SOLUTION
        // Sum the array with a stream.
        return java.util.Arrays.stream(xs).sum();
        // END SOLUTION
    }""")


def test_stub_replaces_block_with_todo_from_first_comment():
    out, n = learner.transform_source(SOLVE)
    assert n == 1
    assert out == textwrap.dedent("""\
        static int solve(int[] xs) {
            throw new UnsupportedOperationException("TODO: Sum the array with a stream.");
        }""")


def test_stub_without_comment_says_your_solution_here():
    src = "void f() {\n  // BEGIN SOLUTION\n  System.out.println(1);\n  // END SOLUTION\n}"
    out, n = learner.transform_source(src)
    assert n == 1
    assert '  throw new UnsupportedOperationException("TODO: your solution here");' in out
    assert "println" not in out


def test_todo_text_is_escaped_for_java():
    src = 'void f() {\n// BEGIN SOLUTION\n// say "hi" \\ bye\nint x = 1;\n// END SOLUTION\n}'
    out, _ = learner.transform_source(src)
    assert 'UnsupportedOperationException("TODO: say \\"hi\\" \\\\ bye")' in out


def test_several_blocks_and_top_level_block():
    src = ("// BEGIN SOLUTION\nvar total = 3;\n// END SOLUTION\n"
           "int g() {\n    // BEGIN SOLUTION\n    return 2;\n    // END SOLUTION\n}\n")
    out, n = learner.transform_source(src)
    assert n == 2
    assert out.startswith('throw new UnsupportedOperationException("TODO: your solution here");\nint g() {\n    throw')


def test_block_followed_by_code_in_same_body_is_rejected():
    src = "int g() {\n  // BEGIN SOLUTION\n  int x = 2;\n  // END SOLUTION\n  return x;\n}"
    with pytest.raises(learner.LearnerError, match="must end its method"):
        learner.transform_source(src)


@pytest.mark.parametrize("src, message", [
    ("// BEGIN SOLUTION\nint x = 1;\n", "without an END"),
    ("int x = 1;\n// END SOLUTION\n", "without a BEGIN"),
    ("// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION\n", "nested"),
])
def test_bad_markers_are_reported(src, message):
    with pytest.raises(learner.LearnerError, match=message):
        learner.transform_source(src, "x.ipynb, cell 3")


def test_brace_depth_ignores_strings_comments_and_text_blocks():
    lines = ['String s = "{{";', "char c = '{';", "// {", "/* { */", 'String t = """', "{ {", '""";', "class A {",
             "}"]
    assert learner.brace_depths(lines) == [0, 0, 0, 0, 0, 0, 0, 0, 1]


def test_learner_notebook_clears_outputs_and_keeps_markdown():
    nb = notebook([markdown("# Title\n// BEGIN SOLUTION is just text here"),
                   dict(code(SOLVE), outputs=[{"output_type": "stream", "name": "stdout", "text": "x"}],
                        execution_count=3),
                   dict(code("%%check sums\nif (solve(new int[]{1,2}) != 3) throw new AssertionError(\"hint\");"),
                        outputs=[{"output_type": "stream", "name": "stdout", "text": "PASS sums\n"}])])
    out, n = learner.learner_notebook(nb)
    assert n == 1
    assert out["cells"][0] == nb["cells"][0]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in out["cells"] if c["cell_type"] == "code")
    assert "BEGIN SOLUTION" not in out["cells"][1]["source"]
    assert nb["cells"][1]["outputs"], "the reference must not be modified"


def test_write_learner_version_keeps_path_relative_to_repo(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    src = repo / "notebooks" / "phase1" / "x.ipynb"
    src.parent.mkdir(parents=True)
    write_nb(src, notebook([code(SOLVE)]))
    monkeypatch.setattr(learner, "REPO", repo)
    target, n = learner.write_learner_version(src, tmp_path / "out")
    assert target == tmp_path / "out" / "notebooks" / "phase1" / "x.ipynb"
    assert n == 1 and "TODO" in json.loads(target.read_text())["cells"][0]["source"]


def test_executed_copies_and_checkpoints_are_not_course_notebooks(tmp_path):
    for name in ["a.ipynb", "b.out.ipynb", "c.nbconvert.ipynb", "d.executed.ipynb", ".ipynb_checkpoints/a-checkpoint.ipynb",
                 "sub/e.ipynb", "notes.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    assert [p.relative_to(tmp_path).as_posix() for p in learner.find_notebooks(tmp_path)] == ["a.ipynb", "sub/e.ipynb"]
    assert grade.collect([tmp_path]) == learner.find_notebooks(tmp_path)


def test_learner_cli_writes_every_course_notebook(tmp_path):
    proc = subprocess.run([sys.executable, str(TOOLS / "learner.py"), "--out", str(tmp_path)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for path in learner.default_notebooks():
        out = tmp_path / path.relative_to(REPO)
        assert out.is_file(), out
        text = out.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "TODO: " in text, out
    # the notebooks' ../../datasets resolves in the learner tree too
    assert (tmp_path / "datasets" / "generators" / "EventGenerator.java").is_file()


def test_learner_cli_reports_bad_markers(tmp_path):
    bad = write_nb(tmp_path / "bad.ipynb", notebook([code("int f() {\n// BEGIN SOLUTION\nreturn 1;\n}")]))
    proc = subprocess.run([sys.executable, str(TOOLS / "learner.py"), "--out", str(tmp_path / "o"), str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "cell 0" in proc.stderr and "without an END" in proc.stderr


def test_shell_cells_get_a_failing_echo_stub():
    src = "%%bash\nset -e\n# BEGIN SOLUTION\n# count the errors, it's easy\nawk '$2 == \"ERROR\"' f > out\n# END SOLUTION\ncat out"
    out, n = learner.transform_source(src)
    assert n == 1
    assert out == "%%bash\nset -e\necho 'TODO: count the errors, it'\\''s easy' >&2; exit 1\ncat out"
    # `//` markers mean nothing in a shell cell, and `#` markers nothing in Java
    assert learner.transform_source("%%sh\n// BEGIN SOLUTION\necho x\n// END SOLUTION")[1] == 0
    assert learner.transform_source("int x = 1;\n# BEGIN SOLUTION")[1] == 0
    with pytest.raises(learner.LearnerError, match="without an END"):
        learner.transform_source("%%bash\n# BEGIN SOLUTION\necho x")


def test_course_is_written_once_and_learner_changes_survive(tmp_path):
    refs = tmp_path / "notebooks"
    (refs / "phase1").mkdir(parents=True)
    write_nb(refs / "phase1" / "a.ipynb", notebook([code(SOLVE)]))
    write_nb(refs / "phase1" / "b.ipynb", notebook([code(SOLVE), markdown("b")]))
    course = tmp_path / "course"
    done = learner.write_course(course, refs, echo=lambda *_: None)
    assert sorted(done["written"]) == ["phase1/a.ipynb", "phase1/b.ipynb",
                                       "solutions/phase1/a.ipynb", "solutions/phase1/b.ipynb"]
    exercise = json.loads((course / "phase1" / "a.ipynb").read_text())
    assert "TODO" in exercise["cells"][0]["source"] and "BEGIN SOLUTION" not in exercise["cells"][0]["source"]
    assert exercise["metadata"]["streamlab"]["reference"] == "notebooks/phase1/a.ipynb"
    assert "BEGIN SOLUTION" in json.loads((course / "solutions" / "phase1" / "a.ipynb").read_text())["cells"][0]["source"]
    assert (course / "datasets").is_symlink() and not Path(os.readlink(course / "datasets")).is_absolute()

    # the learner works on a.ipynb and deletes b.ipynb; then the references change (a git pull)
    mine = (course / "phase1" / "a.ipynb").read_text().replace("TODO: Sum", "my answer: Sum")
    (course / "phase1" / "a.ipynb").write_text(mine)
    (course / "phase1" / "b.ipynb").unlink()
    for name in ("a", "b"):
        write_nb(refs / "phase1" / f"{name}.ipynb", notebook([code(SOLVE), markdown("new text")]))
    messages = []
    done = learner.write_course(course, refs, echo=messages.append)
    assert done["kept"] == ["phase1/a.ipynb"], done
    assert (course / "phase1" / "a.ipynb").read_text() == mine, "a notebook the learner changed is never overwritten"
    assert any("kept course/phase1/a.ipynb" in m for m in messages), messages
    assert "new text" in (course / "phase1" / "b.ipynb").read_text(), "a missing notebook is written again"
    assert "new text" in (course / "solutions" / "phase1" / "a.ipynb").read_text(), "an untouched copy follows its reference"
    assert learner.write_course(course, refs, echo=lambda *_: None)["written"] == []


def test_learner_cli_course_option(tmp_path):
    proc = subprocess.run([sys.executable, str(TOOLS / "learner.py"), "--course", str(tmp_path / "c")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for path in learner.default_notebooks():
        rel = path.relative_to(learner.NOTEBOOKS_DIR)
        assert "BEGIN SOLUTION" not in (tmp_path / "c" / rel).read_text(encoding="utf-8")
        assert (tmp_path / "c" / "solutions" / rel).is_file()
    assert (tmp_path / "c" / "datasets" / "generators" / "EventGenerator.java").is_file()


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac not on PATH")
def test_stubs_compile_with_javac(tmp_path):
    """The convention holds for javac: a stub ending a non-void method, a void method, a lambda, an initializer."""
    body = textwrap.dedent("""\
        import java.util.*;
        import java.util.function.*;
        class Snippets {
            static int solve(int[] xs) {
                // BEGIN SOLUTION
                // Sum the array.
                int s = 0;
                for (int x : xs) s += x;
                return s;
                // END SOLUTION
            }
            static void shout(List<String> out) {
                out.add("a");
                // BEGIN SOLUTION
                out.add("b");
                // END SOLUTION
            }
            static Function<Integer, Optional<String>> f = i -> {
                // BEGIN SOLUTION
                return Optional.of("n" + i);
                // END SOLUTION
            };
            static final Map<String, Integer> M = new HashMap<>();
            static {
                // BEGIN SOLUTION
                M.put("one", 1);
                // END SOLUTION
            }
            record R(int a) {
                R {
                    // BEGIN SOLUTION
                    if (a < 0) throw new IllegalArgumentException();
                    // END SOLUTION
                }
            }
            int counter;
            {
                // BEGIN SOLUTION
                counter = 1;
                // END SOLUTION
            }
            long allman(int x) throws java.io.IOException
            {
                // BEGIN SOLUTION
                return x;
                // END SOLUTION
            }
            Snippets(int start) {
                // BEGIN SOLUTION
                counter = start;
                // END SOLUTION
            }
        }
        """)
    out, n = learner.transform_source(body)
    assert n == 8
    (tmp_path / "Snippets.java").write_text(out)
    proc = subprocess.run(["javac", "-d", str(tmp_path), str(tmp_path / "Snippets.java")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# ============================================================================================ grade.py logic

def stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def error(ename: str, evalue: str) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}


def test_find_checks():
    nb = notebook([code("int x = 1;"), markdown("%%check no"), code("%%check first\nx == 1"),
                   code("\n%%check   second-one  \nfoo();"), code("%%checkers x")])
    assert [(c.name, c.cell) for c in grade.find_checks(nb)] == [("first", 2), ("second-one", 3)]


def test_judge_check():
    assert grade.judge_check("a", [stream("PASS a\n")]) == (True, "")
    assert grade.judge_check("a", [stream("FAIL a: x should be 4\n"), error("AssertionError", "x should be 4")]) \
        == (False, "x should be 4")
    ok, why = grade.judge_check("a", [error("CompilationException", "cannot find symbol: x")])
    assert not ok and "cannot find symbol" in why
    ok, why = grade.judge_check("a", [stream("PASS b\n")])
    assert not ok and "no 'PASS a'" in why
    ok, why = grade.judge_check("a", [stream("\x1b[31mFAIL a: red\x1b[0m\n")])
    assert not ok and why == "red"


def sample_results() -> list[grade.NotebookResult]:
    ok = grade.NotebookResult(path="notebooks/a.ipynb", duration=1.5, finished=True,
                              checks=[grade.CheckResult("one", 2, "passed", "", 0.1),
                                      grade.CheckResult("two", 4, "failed", "x should be 4 <&>", 0.2)],
                              cell_errors=[{"cell": 3, "reason": "RuntimeException: boom"}])
    hung = grade.NotebookResult(path="notebooks/b.ipynb", duration=9.0,
                                problem="timed out after 9 s in cell 1; the process group was killed",
                                checks=[grade.CheckResult("three", 5, "not run", "not run: timed out", 0.0)])
    return [ok, hung]


def test_outcomes_reference_and_learner_modes():
    ok, hung = sample_results()
    ref = {o.name: o for o in grade.outcomes(ok)}
    assert ref["one"].ok and not ref["two"].ok and not ref["(notebook)"].ok
    assert ref["(notebook)"].cell == 3 and "boom" in ref["(notebook)"].reason
    lrn = {o.name: o for o in grade.outcomes(ok, learner=True)}
    assert not lrn["one"].ok and "PASSED on the learner version" in lrn["one"].reason
    assert lrn["two"].ok
    assert "(notebook)" not in lrn, "errors outside checks are expected in learner versions"
    hung_l = {o.name: o for o in grade.outcomes(hung, learner=True)}
    assert not hung_l["three"].ok and not hung_l["(notebook)"].ok and hung_l["(notebook)"].cell == 1


def test_junit_report(tmp_path):
    path = tmp_path / "grade.xml"
    grade.write_junit(sample_results(), path, learner=False)
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites" and root.get("tests") == "5" and root.get("failures") == "4"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    a = suites["notebooks/a.ipynb"]
    cases = {c.get("name"): c for c in a.findall("testcase")}
    assert cases["check one"].find("failure") is None
    fail = cases["check two"].find("failure")
    assert fail.get("message") == "notebooks/a.ipynb: cell 4: x should be 4 <&>"
    assert cases["(notebook)"].find("failure").get("message") == "notebooks/a.ipynb: cell 3: RuntimeException: boom"
    b_cases = {c.get("name"): c for c in suites["notebooks/b.ipynb"].findall("testcase")}
    assert "timed out" in b_cases["check three"].find("failure").get("message")


def test_markdown_report(tmp_path):
    path = tmp_path / "grade.md"
    grade.write_markdown(sample_results(), path, learner=False, kernel="streamlab")
    text = path.read_text()
    assert "**1 passed, 4 failed**" in text
    assert "| `two` | 4 | **FAIL** | 0.20 | x should be 4 <&> |" in text
    assert "Stopped early: timed out after 9 s in cell 1" in text


# -------------------------------------------------------------------------------------------- fake runners

HANGING_RUNNER = textwrap.dedent("""\
    # A fake notebook runner that behaves like a runner whose kernel hangs: it starts a "kernel" in a session of
    # its own (as jupyter_client does), another helper in its own process group, records the kernel's pid
    # like the real runner, then hangs.
    import json, subprocess, sys, time
    args = sys.argv
    state = args[args.index("--state") + 1]
    kernel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"], start_new_session=True)
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    json.dump({"cells": {"0": {"duration": 0.1, "outputs": [{"output_type": "stream", "name": "stdout",
               "text": "PASS early\\n"}]}}, "kernel_pid": kernel.pid, "current": 1, "finished": False},
              open(state, "w"))
    open(state + ".pids", "w").write(f"{kernel.pid} {helper.pid}")
    time.sleep(3600)
    """)


def _alive(pid: int) -> bool:
    return grade._pid_alive(pid)


def test_timeout_kills_runner_and_kernel_process_groups(tmp_path):
    runner = tmp_path / "hang.py"
    runner.write_text(HANGING_RUNNER)
    nb = write_nb(tmp_path / "hang.ipynb", notebook([code("%%check early\nx"), code("while (true) {}"),
                                                      code("%%check late\ny")]))
    t0 = time.monotonic()
    r = grade.grade_notebook(nb, "hang.ipynb", kernel="fake", timeout=3, report_dir=tmp_path / "r",
                             cwd=tmp_path, runner=[sys.executable, str(runner)])
    elapsed = time.monotonic() - t0
    pids = [int(p) for p in (tmp_path / "r" / "logs" / "hang.ipynb.state.json.pids").read_text().split()]
    assert not any(_alive(p) for p in pids), "the kernel and the runner's helper must be killed"
    assert "timed out after 3 s in cell 1" in r.problem
    assert r.check("early").status == "passed"
    assert r.check("late").status == "not run" and "timed out" in r.check("late").reason
    assert elapsed < 3 + 2 * grade.KILL_GRACE + 5  # returned: it did not wait for the hour-long sleep


def test_runner_crash_is_reported(tmp_path):
    runner = tmp_path / "crash.py"
    runner.write_text("import sys; print('runner exploded: no nbclient'); sys.exit(3)\n")
    nb = write_nb(tmp_path / "c.ipynb", notebook([code("%%check a\nx")]))
    r = grade.grade_notebook(nb, "c.ipynb", kernel="fake", timeout=30, report_dir=tmp_path / "r",
                             cwd=tmp_path, runner=[sys.executable, str(runner)])
    assert "exited with code 3" in r.problem and "runner exploded" in r.problem
    assert r.check("a").status == "not run"
    assert [o.ok for o in grade.outcomes(r)] == [False, False]


def test_unreadable_notebook_is_reported_not_raised(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{ not json")
    results, passed, failed = grade.grade([bad], kernel="fake", timeout=5, report_dir=tmp_path / "r",
                                          learner=False, echo=lambda *_: None)
    assert (passed, failed) == (0, 1) and "cannot read" in results[0].problem
    assert (tmp_path / "r" / "grade.xml").is_file() and (tmp_path / "r" / "grade.md").is_file()


# -------------------------------------------------------------------------------------------- real ipykernel

PY_CHECK_MAGIC = textwrap.dedent("""\
    from IPython.core.magic import register_cell_magic
    @register_cell_magic
    def check(line, cell):
        name = line.strip()
        try:
            exec(cell, get_ipython().user_ns)
        except Exception as e:
            print(f"FAIL {name}: {e}")
            raise
        print(f"PASS {name}")
    """)


def run_grade_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOLS / "grade.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@needs_python_kernel
def test_grade_cli_with_real_python_kernel(tmp_path):
    nb = write_nb(tmp_path / "py.ipynb", notebook([
        code(PY_CHECK_MAGIC), code("x = 4"),
        code("%%check four\nassert x == 4, 'x should be 4'"),
        code("%%check five\nassert x == 5, 'hint: x should be 5'"),
        code("raise ValueError('a learner cell broke')"),
        code("%%check still_runs\nassert x == 4"),
        code("import os\nprint(os.environ['STREAMLAB_WORKSPACE'])")], kernel="python3", language="python"))
    proc = run_grade_cli([str(nb), "--kernel", "python3", "--report-dir", str(tmp_path / "r"), "--timeout", "120"],
                         tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "2 passed, 2 failed"
    root = ET.parse(tmp_path / "r" / "grade.xml").getroot()
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["check four"].find("failure") is None and cases["check still_runs"].find("failure") is None
    assert "cell 3: hint: x should be 5" in cases["check five"].find("failure").get("message")
    assert "cell 4: ValueError: a learner cell broke" in cases["(notebook)"].find("failure").get("message")
    name = grade.slug(str(nb))
    executed = json.loads((tmp_path / "r" / "logs" / f"{name}.executed.ipynb").read_text())
    ws = "".join(executed["cells"][6]["outputs"][0]["text"]).strip()
    assert ws == str(tmp_path / "r" / "workspaces" / name), "each notebook runs in its own fresh workspace"


@needs_python_kernel
def test_hanging_cell_and_dead_kernel_with_real_python_kernel(tmp_path):
    hang = write_nb(tmp_path / "hang.ipynb", notebook([
        code(PY_CHECK_MAGIC), code("%%check before\nassert 1"), code("import time\ntime.sleep(3600)"),
        code("%%check after\nassert 1")], kernel="python3", language="python"))
    die = write_nb(tmp_path / "die.ipynb", notebook([
        code(PY_CHECK_MAGIC), code("import os\nos._exit(1)"), code("%%check after_death\nassert 1")],
        kernel="python3", language="python"))
    results, passed, failed = grade.grade([hang, die], kernel="python3", timeout=25, report_dir=tmp_path / "r",
                                          learner=False, echo=lambda *_: None)
    h, d = results
    assert "in cell 2" in h.problem and ("timed out" in h.problem), h.problem
    assert h.check("before").ok and h.check("after").status == "not run"
    assert "kernel died" in d.problem and "cell 1" in d.problem, d.problem
    assert d.check("after_death").status == "not run"
    assert (passed, failed) == (1, 4)
    md = (tmp_path / "r" / "grade.md").read_text()
    assert "hang.ipynb" in md and "die.ipynb" in md


@needs_python_kernel
def test_learner_mode_with_real_python_kernel(tmp_path):
    # learner.py writes a Java stub; in a Python cell it is a SyntaxError, which is all this test needs: `answer`
    # stays undefined in the learner version, so the check on it fails there, while `weak` cannot fail.
    nb = notebook([code(PY_CHECK_MAGIC),
                   code("// BEGIN SOLUTION\n// compute the answer\nanswer = 42\n// END SOLUTION"),
                   code("%%check answer\nassert answer == 42, 'answer should be 42'"),
                   code("%%check weak\nassert True")], kernel="python3", language="python")
    lrn_path = write_nb(tmp_path / "l.ipynb", nb)
    results, passed, failed = grade.grade([lrn_path], kernel="python3", timeout=60, report_dir=tmp_path / "r",
                                          learner=True, echo=lambda *_: None)
    outcome = {o.name: o for o in grade.outcomes(results[0], learner=True)}
    assert outcome["answer"].ok, "the answer check fails on the stub, as expected"
    assert not outcome["weak"].ok and "cannot fail" in outcome["weak"].reason
    assert (passed, failed) == (1, 1)
    assert (tmp_path / "r" / "grade-learner.xml").is_file()


REFERENCE = notebook([code(PY_CHECK_MAGIC), code("answer = 42"),
                      code("%%check answer\nassert answer == 42, 'answer should be 42'"),
                      code("%%check positive\nassert answer > 0, 'answer should be positive'")],
                     kernel="python3", language="python")


def test_reference_checks_replace_edited_and_restore_deleted_ones():
    submission = copy_nb(REFERENCE)
    submission["cells"][1]["source"] = "answer = -1"
    submission["cells"][2]["source"] = "%%check answer\nassert True"          # edited to pass
    del submission["cells"][3]                                                  # deleted
    submission["cells"].append(code("%%check mine\nassert True"))
    submission["cells"].append(code("%%check answer\nassert True"))           # a second copy
    graded, notes = grade.with_reference_checks(submission, REFERENCE)
    sources = [grade.cell_source(c) for c in graded["cells"]]
    assert sources[2] == grade.cell_source(REFERENCE["cells"][2])
    assert [c.name for c in grade.find_checks(graded)] == ["answer", "positive"]
    assert sources[3].startswith("// (not graded) %%check mine") and sources[4].startswith("// (not graded) %%check answer")
    # no check follows it in the submission: the deleted check comes back at the end
    assert sources[5] == grade.cell_source(REFERENCE["cells"][3]) and len(sources) == 6
    assert any("changed it" in n for n in notes) and any("put back" in n for n in notes)


def copy_nb(nb: dict) -> dict:
    return json.loads(json.dumps(nb))


@needs_python_kernel
def test_submission_cannot_pass_by_editing_or_deleting_a_check(tmp_path):
    ref = write_nb(tmp_path / "ref.ipynb", REFERENCE)
    edited = copy_nb(REFERENCE)
    edited["cells"][1]["source"] = "answer = -1"
    edited["cells"][2]["source"] = "%%check answer\nassert True"
    edited["cells"][3]["source"] = "%%check positive\nprint('PASS positive')"
    deleted = copy_nb(REFERENCE)
    deleted["cells"][1]["source"] = "answer = -1"
    del deleted["cells"][2:4]
    for name, nb in (("edited", edited), ("deleted", deleted)):
        sub = write_nb(tmp_path / f"{name}.ipynb", nb)
        results, passed, failed = grade.grade([sub], kernel="python3", timeout=120, report_dir=tmp_path / name,
                                              learner=False, reference=ref, echo=lambda *_: None)
        r = results[0]
        assert r.check("answer").status == "failed" and "answer should be 42" in r.check("answer").reason, name
        assert r.check("positive").status == "failed" and "positive" in r.check("positive").reason, name
        assert (passed, failed) == (0, 2), name
    # and the right answer passes with the reference's checks
    right = write_nb(tmp_path / "right.ipynb", copy_nb(REFERENCE))
    _, passed, failed = grade.grade([right], kernel="python3", timeout=120, report_dir=tmp_path / "right",
                                    learner=False, reference=ref, echo=lambda *_: None)
    assert (passed, failed) == (2, 0)


@needs_python_kernel
def test_course_notebooks_are_graded_with_their_reference(tmp_path, monkeypatch):
    """A notebook under course/ is a submission: found by path, no --reference needed."""
    monkeypatch.setattr(learner, "COURSE_DIR", tmp_path / "course")
    monkeypatch.setattr(learner, "NOTEBOOKS_DIR", tmp_path / "notebooks")
    (tmp_path / "notebooks").mkdir()
    write_nb(tmp_path / "notebooks" / "n.ipynb", REFERENCE)
    (tmp_path / "course").mkdir()
    sub = copy_nb(REFERENCE)
    sub["cells"][2]["source"] = "%%check answer\nassert True"
    sub["cells"][1]["source"] = "answer = 7"
    sub_path = write_nb(tmp_path / "course" / "n.ipynb", sub)
    assert grade.reference_of(sub_path) == tmp_path / "notebooks" / "n.ipynb"
    assert grade.reference_of(tmp_path / "course" / "solutions" / "n.ipynb") is None
    results, _, _ = grade.grade([sub_path], kernel="python3", timeout=120, report_dir=tmp_path / "r", learner=False,
                                echo=lambda *_: None)
    assert results[0].check("answer").status == "failed"


@needs_python_kernel
def test_runs_share_one_workspace_and_are_reported_apart(tmp_path):
    once = write_nb(tmp_path / "once.ipynb", notebook([
        code(PY_CHECK_MAGIC),
        code("import os, pathlib\nmarker = pathlib.Path(os.environ['STREAMLAB_WORKSPACE']) / 'made'\n"
             "open(marker, 'x').write('1')   # fails when the file exists: not re-runnable"),
        code("%%check made\nassert marker.read_text() == '1'")], kernel="python3", language="python"))
    again = write_nb(tmp_path / "again.ipynb", notebook([
        code(PY_CHECK_MAGIC),
        code("import os, pathlib\nmarker = pathlib.Path(os.environ['STREAMLAB_WORKSPACE']) / 'made'\n"
             "marker.unlink(missing_ok=True)\nopen(marker, 'x').write('1')"),
        code("%%check made\nassert marker.read_text() == '1'")], kernel="python3", language="python"))
    proc = run_grade_cli([str(once), str(again), "--kernel", "python3", "--runs", "2",
                          "--report-dir", str(tmp_path / "r"), "--timeout", "120"], tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    suites = {s.get("name"): s for s in ET.parse(tmp_path / "r" / "grade.xml").getroot().iter("testsuite")}
    once_name = grade.display_path(once)
    assert set(suites) == {f"{once_name} (run 1)", f"{once_name} (run 2)",
                           f"{grade.display_path(again)} (run 1)", f"{grade.display_path(again)} (run 2)"}
    assert suites[f"{once_name} (run 1)"].get("failures") == "0"
    run2 = {c.get("name"): c for c in suites[f"{once_name} (run 2)"].iter("testcase")}
    assert "FileExistsError" in run2["(notebook) (run 2)"].find("failure").get("message")
    assert all(s.get("failures") == "0" for n, s in suites.items() if "again" in n)
    assert proc.stdout.strip().splitlines()[-1] == "4 passed, 1 failed", proc.stdout


def test_runs_must_be_positive(tmp_path):
    nb = write_nb(tmp_path / "x.ipynb", notebook([code("1")]))
    proc = run_grade_cli([str(nb), "--runs", "0"], tmp_path)
    assert proc.returncode == 2 and "--runs" in proc.stderr


VARIANT_REF = notebook([code(PY_CHECK_MAGIC),
                        code("def double(x):\n    // BEGIN SOLUTION\n    return 2 * x\n    // END SOLUTION"),
                        code("%%check doubles\nassert double(3) == 6, 'double(3) should be 6'"),
                        code("%%check later\nassert False, 'never reached: the copy is cut after its check'")],
                       kernel="python3", language="python")


def write_variants(tmp_path: Path, monkeypatch, body: str) -> Path:
    monkeypatch.setattr(variants, "REPO", tmp_path)
    write_nb(tmp_path / "ref.ipynb", VARIANT_REF)
    path = tmp_path / "v.toml"
    path.write_text('notebook = "ref.ipynb"\n' + textwrap.dedent(body), encoding="utf-8")
    return path


def test_variant_patches_the_solution_block_and_cuts_after_its_check(tmp_path, monkeypatch):
    path = write_variants(tmp_path, monkeypatch, """
        [[variant]]
        name = "off by one"
        check = "doubles"
        expect = "FAIL"
        solution_after = "def double(x):"
        code = '''
        return 2 * x + 1
        '''
        """)
    [v] = variants.load_variants(path)
    patched = variants.apply_variant(VARIANT_REF, v)
    assert grade.cell_source(patched["cells"][1]) == "def double(x):\n    return 2 * x + 1"
    assert [c.name for c in grade.find_checks(patched)] == ["doubles"]
    assert patched["metadata"]["streamlab"]["variant"] == "doubles: off by one"


@pytest.mark.parametrize("body, message", [
    ('[[variant]]\nname="x"\ncheck="doubles"\nexpect="MAYBE"\ncode="1"\nreplace="2 * x"\n', "PASS or FAIL"),
    ('[[variant]]\nname="x"\ncheck="doubles"\nexpect="FAIL"\ncode="1"\n', "exactly one of"),
    ('[[variant]]\nname="x"\ncheck="doubles"\nexpect="FAIL"\ncode="1"\nreplace="3 * x"\n', "in exactly one"),
    ('[[variant]]\nname="x"\ncheck="nope"\nexpect="FAIL"\ncode="1"\nreplace="2 * x"\n', "no check named"),
    ('[[variant]]\nname="x"\ncheck="doubles"\nexpect="FAIL"\ncode="1"\nreplace="2 * x"\ncolour="red"\n', "unknown keys"),
])
def test_bad_variants_are_reported(tmp_path, monkeypatch, body, message):
    path = write_variants(tmp_path, monkeypatch, body)
    with pytest.raises(variants.VariantError, match=message):
        for v in variants.load_variants(path):
            variants.apply_variant(VARIANT_REF, v)


@needs_python_kernel
def test_variants_run_and_judge_with_a_real_kernel(tmp_path, monkeypatch):
    path = write_variants(tmp_path, monkeypatch, """
        [[variant]]
        name = "off by one: caught"
        check = "doubles"
        expect = "FAIL"
        reason = "should be 6"
        solution_after = "def double(x):"
        code = "return 2 * x + 1"

        [[variant]]
        name = "x + x: another right answer"
        check = "doubles"
        expect = "PASS"
        solution_after = "def double(x):"
        code = "return x + x"

        [[variant]]
        name = "a hard-coded answer: this weak check cannot see it, which must be reported"
        check = "doubles"
        expect = "FAIL"
        solution_after = "def double(x):"
        code = "return 6 if x == 3 else 0"

        [[variant]]
        name = "declared right, but the check rejects it: reported"
        check = "doubles"
        expect = "PASS"
        solution_after = "def double(x):"
        code = "return 0"
        """)
    vs = variants.load_variants(path)
    results = variants.run_variants(vs, report_dir=tmp_path / "r", kernel="python3", timeout=120, echo=lambda *_: None)
    assert [r.ok for r in results] == [True, True, False, False]
    assert results[2].status == "passed" and "cannot see" in results[2].detail
    assert results[3].status == "failed" and "rejected a correct answer" in results[3].detail
    variants.write_report(results, tmp_path / "r" / "variants.md")
    assert "2 as expected, 2 not" in (tmp_path / "r" / "variants.md").read_text()


# ============================================================================================ real streamlab kernel

@pytest.mark.kernel
@needs_streamlab
def test_end_to_end_with_streamlab_kernel(tmp_path):
    nb = write_nb(tmp_path / "java.ipynb", notebook([
        code("int x = 2 + 2;"),
        code("static int twice(int v) {\n    // BEGIN SOLUTION\n    return 2 * v;\n    // END SOLUTION\n}"),
        code("%%check four\nif (x != 4) throw new AssertionError(\"x should be 4\");"),
        code("%%check twice\nif (twice(3) != 6) throw new AssertionError(\"twice(3) should be 6\");"),
        code("%%check wrong\nif (x != 5) throw new AssertionError(\"hint: x should be 5\");"),
        code("throw new IllegalStateException(\"a learner cell broke\");"),
        code("%%check broken\nint y = undefinedThing;")]))
    proc = run_grade_cli([str(nb), "--report-dir", str(tmp_path / "r"), "--timeout", "120"], tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "2 passed, 3 failed", proc.stdout
    cases = {c.get("name"): c for c in ET.parse(tmp_path / "r" / "grade.xml").getroot().iter("testcase")}
    assert cases["check four"].find("failure") is None
    assert cases["check twice"].find("failure") is None
    assert "hint: x should be 5" in cases["check wrong"].find("failure").get("message")
    assert "cell 6" in cases["check broken"].find("failure").get("message")
    assert "a learner cell broke" in cases["(notebook)"].find("failure").get("message")

    proc = run_grade_cli([str(nb), "--report-dir", str(tmp_path / "l"), "--timeout", "120", "--learner"], tmp_path)
    cases = {c.get("name"): c for c in ET.parse(tmp_path / "l" / "grade-learner.xml").getroot().iter("testcase")}
    assert cases["check twice"].find("failure") is None, "twice() is stubbed: its check must fail"
    assert cases["check four"].find("failure") is not None, "a check with no solution block passes on the stub"


@pytest.mark.kernel
@needs_streamlab
def test_a_learner_cannot_pass_a_course_notebook_by_editing_or_deleting_its_checks(tmp_path):
    """Phase 1 / 01 as a learner opens it (stubs): one check edited to pass trivially, one deleted. Graded as a
    submission, both fail, because the reference's check cells are put back."""
    ref = REPO / "notebooks" / "phase1" / "01-production-java-types.ipynb"
    nb, _ = learner.learner_notebook(json.loads(ref.read_text(encoding="utf-8")))
    cells = nb["cells"]
    edited = next(i for i, c in enumerate(cells) if grade.cell_source(c).startswith("%%check generic-max"))
    cells[edited]["source"] = "%%check generic-max\n// looks fine to me"
    nb["cells"] = [c for c in cells if not grade.cell_source(c).startswith("%%check invert-map")]
    sub = write_nb(tmp_path / "mine.ipynb", nb)
    proc = run_grade_cli([str(sub), "--reference", str(ref), "--report-dir", str(tmp_path / "r"), "--timeout", "300"],
                         tmp_path)
    assert "check generic-max: the submission changed it" in proc.stdout, proc.stdout
    assert "check invert-map: missing from the submission" in proc.stdout, proc.stdout
    cases = {c.get("name"): c for c in ET.parse(tmp_path / "r" / "grade.xml").getroot().iter("testcase")}
    assert cases["check generic-max"].find("failure") is not None, "an edited check must not pass"
    assert cases["check invert-map"].find("failure") is not None, "a deleted check must not pass"
    assert "TODO" in cases["check generic-max"].find("failure").get("message")


# ============================================================================================ the course itself

COURSE = learner.default_notebooks()


def test_course_notebooks_are_well_formed():
    assert COURSE, "no notebooks under notebooks/"
    for path in COURSE:
        nb = json.loads(path.read_text(encoding="utf-8"))
        where = path.relative_to(REPO)
        nbformat.validate(nbformat.from_dict(nb))
        assert nb["nbformat"] == 4, where
        assert nb["metadata"]["kernelspec"]["name"] == "streamlab", where
        checks = grade.find_checks(nb)
        assert checks, f"{where} has no %%check cells"
        names = [c.name for c in checks]
        assert len(names) == len(set(names)), f"{where}: duplicate check names {names}"
        out, blocks = learner.learner_notebook(nb, str(where))
        assert blocks > 0, f"{where} has no solution blocks"
        assert all("BEGIN SOLUTION" not in grade.cell_source(c) for c in out["cells"] if c["cell_type"] == "code")
        for c in nb["cells"]:
            if c["cell_type"] == "code":
                assert not c.get("outputs"), f"{where}: commit notebooks without outputs"


@pytest.mark.notebooks
@pytest.mark.kernel
@needs_streamlab
def test_every_reference_passes_and_every_learner_version_fails(tmp_path):
    """Grades the whole course twice with the real kernel: references must pass every check, learner versions
    (solutions stubbed) must fail every check. Slow: one fresh kernel per notebook and mode."""
    ref = run_grade_cli(["--report-dir", str(tmp_path / "ref")], REPO)
    assert ref.returncode == 0, ref.stdout[-4000:] + ref.stderr[-2000:]
    lrn = run_grade_cli(["--report-dir", str(tmp_path / "lrn"), "--learner"], REPO)
    assert lrn.returncode == 0, lrn.stdout[-4000:] + lrn.stderr[-2000:]
    ref_cases = {(c.get("classname"), c.get("name")) for c in ET.parse(tmp_path / "ref" / "grade.xml").iter("testcase")}
    lrn_cases = {(c.get("classname"), c.get("name")) for c in
                 ET.parse(tmp_path / "lrn" / "grade-learner.xml").iter("testcase")}
    expected = {(str(p.relative_to(REPO))[:-len(".ipynb")].replace("/", "."), f"check {c.name}")
                for p in COURSE for c in grade.find_checks(json.loads(p.read_text()))}
    assert expected <= ref_cases and expected <= lrn_cases


# ============================================================================================ datasets

def test_sentiment_sentences_dataset():
    path = REPO / "datasets" / "sentiment" / "sentences.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == ["text", "label", "source"]
    assert len(rows) == 3000
    for source in ("amazon", "imdb", "yelp"):
        labels = [r["label"] for r in rows if r["source"] == source]
        assert len(labels) == 1000 and labels.count("1") == 500 and labels.count("0") == 500, source
    assert all(r["text"].strip() for r in rows)


GENERATOR = REPO / "datasets" / "generators" / "EventGenerator.java"


def run_generator(*args: str) -> list[dict]:
    proc = subprocess.run(["java", str(GENERATOR), *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


@pytest.mark.skipif(shutil.which("java") is None, reason="java not on PATH")
def test_event_generator_is_seeded_and_realistic():
    a = run_generator("--seed", "7", "--count", "3000")
    b = run_generator("--seed", "7", "--count", "3000")
    c = run_generator("--seed", "8", "--count", "3000")
    assert a == b, "same seed, same stream"
    assert a != c, "another seed, another stream"
    assert len(a) == 3000 and len({e["eventId"] for e in a}) == 3000
    types = {e["type"] for e in a}
    assert {"PAGE_VIEW", "ADD_TO_CART", "PURCHASE"} <= types
    event_times = [e["eventTime"] for e in a]
    arrival = [e["ingestTime"] for e in a]
    assert arrival == sorted(arrival), "records come in arrival order"
    out_of_order = sum(1 for x, y in zip(event_times, event_times[1:]) if y < x)
    assert out_of_order > 0, "some events arrive out of event-time order"
    late = [e for e in a if e["late"]]
    assert 0 < len(late) < len(a) * 0.1
    users = {e["userId"] for e in a}
    assert 10 <= len(users) <= 1000
    assert all(e["eventTime"] <= e["ingestTime"] for e in a)


@needs_python_kernel
def test_sigterm_to_grader_kills_kernel_and_still_writes_report(tmp_path):
    hang = write_nb(tmp_path / "hang.ipynb", notebook([
        code(PY_CHECK_MAGIC), code("%%check before\nassert 1"), code("import time\ntime.sleep(3600)"),
        code("%%check after\nassert 1")], kernel="python3", language="python"))
    other = write_nb(tmp_path / "other.ipynb", notebook([code(PY_CHECK_MAGIC), code("%%check never\nassert 1")],
                                                         kernel="python3", language="python"))
    report = tmp_path / "r"
    proc = subprocess.Popen([sys.executable, str(TOOLS / "grade.py"), str(hang), str(other), "--kernel", "python3",
                             "--report-dir", str(report), "--timeout", "600"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    state_file = report / "logs" / f"{grade.slug(str(hang))}.state.json"
    deadline = time.monotonic() + 120
    state = {}
    while time.monotonic() < deadline:
        state = grade._read_state(state_file)
        if state.get("current") == 2:
            break
        time.sleep(0.2)
    assert state.get("current") == 2, f"the kernel never reached the hanging cell: {state}"
    kernel_pid = state["kernel_pid"]
    assert _alive(kernel_pid)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1, out
    assert out.strip().splitlines()[-1] == "1 passed, 3 failed", out
    deadline = time.monotonic() + 10
    while _alive(kernel_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(kernel_pid), "the kernel must not outlive the grader"
    md = (report / "grade.md").read_text()
    assert "terminated while this notebook ran" in md and "not run: grading was terminated" in md


@needs_python_kernel
def test_jobs_grade_notebooks_side_by_side_in_order_and_sigterm_stops_all(tmp_path):
    """--jobs 2: both notebooks run at once (each waits until the other has started), the report keeps the order
    given; a SIGTERM kills both kernels and the report is still written."""
    def waiting(me: str, other: str) -> dict:
        return notebook([code(PY_CHECK_MAGIC), code(
            "import os, pathlib, time\n"
            f"pathlib.Path(os.environ['STREAMLAB_WORKSPACE'], '..', '{me}.started').touch()\n"
            f"other = pathlib.Path(os.environ['STREAMLAB_WORKSPACE'], '..', '{other}.started')\n"
            "deadline = time.time() + 60\n"
            "while not other.exists() and time.time() < deadline: time.sleep(0.1)"),
            code(f"%%check together_{me}\nassert other.exists(), 'the other notebook never started'"),
            code("time.sleep(3600)")], kernel="python3", language="python")
    first = write_nb(tmp_path / "first.ipynb", waiting("first", "second"))
    second = write_nb(tmp_path / "second.ipynb", waiting("second", "first"))
    report = tmp_path / "r"
    proc = subprocess.Popen([sys.executable, str(TOOLS / "grade.py"), str(first), str(second), "--kernel", "python3",
                             "--report-dir", str(report), "--timeout", "600", "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    states = [report / "logs" / f"{grade.slug(str(nb))}.state.json" for nb in (first, second)]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not all(grade._read_state(s).get("current") == 3 for s in states):
        time.sleep(0.2)
    kernels = [grade._read_state(s).get("kernel_pid") for s in states]
    assert all(grade._read_state(s).get("current") == 3 for s in states), "both notebooks must reach their last cell"
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1, out
    assert out.strip().splitlines()[-1] == "2 passed, 2 failed", out  # both checks; both notebooks stopped
    deadline = time.monotonic() + 10
    while any(_alive(k) for k in kernels) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(k) for k in kernels), "no kernel may outlive the grader"
    md = (report / "grade.md").read_text()
    assert md.index("first.ipynb") < md.index("second.ipynb"), "results are reported in the order given"
    sections = {sec.split("`", 1)[0]: sec for sec in md.split("\n## `")[1:]}
    for nb in (first, second):
        assert "terminated while this notebook ran (in cell 3)" in sections[str(nb)], md


def test_kernel_stuck_in_start_up_is_killed_with_the_run(tmp_path, monkeypatch):
    """A kernel that never answers: the run times out during start-up, and the kernel (in its own session) dies too."""
    spec = tmp_path / "jupyter" / "kernels" / "stuck"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", "import time, sys; time.sleep(3600)", "{connection_file}"],
        "display_name": "stuck", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = write_nb(tmp_path / "s.ipynb", notebook([code("%%check never\n1")], kernel="stuck"))
    # 20 s, not less: on a loaded machine the grader needs seconds before it launches the kernel at all
    r = grade.grade_notebook(nb, "s.ipynb", kernel="stuck", timeout=20, report_dir=tmp_path / "r", cwd=tmp_path)
    state = grade._read_state(tmp_path / "r" / "logs" / "s.ipynb.state.json")
    pid = state.get("kernel_pid")
    assert pid, f"the kernel's pid should be recorded at launch: {state}"
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), "the stuck kernel must be killed with the run"
    assert "timed out after 20 s" in r.problem and r.check("never").status == "not run"
