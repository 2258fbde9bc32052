#!/usr/bin/env python3
"""Prove the course's checks fair: grade each check against plausible wrong answers and alternative right ones.

A variant is a small, declarative patch of a reference notebook, kept in tools/check_variants/*.toml (one file per
notebook)::

    notebook = "notebooks/phase1/05-sql-mastery-spark-sql.ipynb"

    [[variant]]
    name = "running total without a frame: RANGE puts tied purchases in one frame"
    check = "running-total"          # the %%check it is about
    expect = "FAIL"                  # FAIL: a plausible wrong answer; PASS: another correct answer
    reason = "ROWS frame"            # optional (FAIL): text the check's failure message must contain
    solution_after = "String runningRevenueSql()"   # patch: the solution block that follows (or holds) this text ...
    code = '''
        return "SELECT ...";
    '''                              # ... is replaced by this code (the learner's answer)

``solution_after`` may also be text inside the block (its TODO comment). Instead of ``solution_after``, ``replace`` = the exact text to change (unique in one code cell) and ``code`` = what
it becomes; for changing something outside a solution block.

Each variant runs on its own copy of the reference with the patch applied, in a fresh kernel and workspace, through
the grader (tools/grade.py), cut after the check it is about (later cells cannot matter to it; ``full = true``
keeps them). A FAIL variant passes when the check fails (with ``reason`` in its message when given); a PASS variant
passes when the check passes and no cell or check before it failed.

    python3 tools/variants.py                          # every variant (slow: one kernel per variant)
    python3 tools/variants.py --only running-total     # variants whose check or name contains the text
    python3 tools/variants.py tools/check_variants/phase2-03.toml
    python3 tools/variants.py --list                   # what would run
    python3 tools/variants.py --ci                     # the subset marked `ci = true` (what ./streamlab test runs)

Writes reports/variants.md; the last line is `N as expected, N not`; exit code 1 when a variant did not behave as
declared, 2 on a bad variant file.
"""
from __future__ import annotations

import argparse
import copy
import datetime as _dt
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
VARIANTS_DIR = TOOLS / "check_variants"
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

import grade  # noqa: E402
import learner  # noqa: E402


class VariantError(Exception):
    """A variant file that cannot be applied (bad key, a patch target that is not found or not unique)."""


@dataclass(frozen=True)
class Variant:
    file: str
    notebook: str
    name: str
    check: str
    expect: str
    code: str
    solution_after: str | None = None
    replace: str | None = None
    reason: str | None = None
    full: bool = False
    ci: bool = False

    @property
    def label(self) -> str:
        return f"{self.check}: {self.name}"


KEYS = {"name", "check", "expect", "code", "solution_after", "replace", "reason", "full", "ci"}


def load_variants(path: Path) -> list[Variant]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise VariantError(f"{path}: {e}") from e
    notebook = data.get("notebook")
    if not notebook or not (REPO / notebook).is_file():
        raise VariantError(f"{path}: 'notebook' must name a notebook of the repository, got {notebook!r}")
    out = []
    for i, v in enumerate(data.get("variant", [])):
        where = f"{path.name}, variant {i + 1}"
        unknown = set(v) - KEYS
        if unknown:
            raise VariantError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(KEYS)})")
        for key in ("name", "check", "expect", "code"):
            if key not in v:
                raise VariantError(f"{where}: '{key}' is missing")
        if v["expect"] not in ("PASS", "FAIL"):
            raise VariantError(f"{where}: expect must be PASS or FAIL, got {v['expect']!r}")
        if ("solution_after" in v) == ("replace" in v):
            raise VariantError(f"{where}: give exactly one of 'solution_after' and 'replace'")
        out.append(Variant(file=path.name, notebook=notebook, **v))
    return out


def _dedent_to(code: str, indent: str) -> list[str]:
    import textwrap
    body = textwrap.dedent(code.strip("\n"))
    return [(indent + line) if line.strip() else line for line in body.split("\n")]


def apply_variant(nb: dict, v: Variant) -> dict:
    """A copy of the reference notebook with the variant's patch applied, cut after the check it is about."""
    nb = copy.deepcopy(nb)
    cells = nb["cells"]
    target = v.solution_after if v.solution_after is not None else v.replace
    hits = [i for i, c in enumerate(cells) if c.get("cell_type") == "code" and target in grade.cell_source(c)
            and not grade.CHECK_RE.match(grade.cell_source(c))]
    if len(hits) != 1:
        raise VariantError(f"{v.file}: {v.label}: {target!r} is in {len(hits)} code cells (not a check), "
                           f"it must be in exactly one")
    cell = cells[hits[0]]
    src = grade.cell_source(cell)
    if src.count(target) != 1:
        raise VariantError(f"{v.file}: {v.label}: {target!r} occurs {src.count(target)} times in cell {hits[0]}")
    if v.replace is not None:
        cell["source"] = src.replace(v.replace, v.code.strip("\n"))
    else:
        lines = src.split("\n")
        start = src[:src.index(target)].count("\n")
        begin_re, end_re = learner.markers(src)
        # the block the target text is in (e.g. its TODO comment), or else the first block after it
        enclosing = next((k for k in range(start, -1, -1) if begin_re.match(lines[k]) or (k < start and end_re.match(lines[k]))), None)
        if enclosing is not None and begin_re.match(lines[enclosing]):
            begin = enclosing
        else:
            begin = next((k for k in range(start, len(lines)) if begin_re.match(lines[k])), None)
        if begin is None:
            raise VariantError(f"{v.file}: {v.label}: no 'BEGIN SOLUTION' marker after {target!r}")
        end = next((k for k in range(begin, len(lines)) if end_re.match(lines[k])), None)
        indent = begin_re.match(lines[begin]).group("indent")
        cell["source"] = "\n".join(lines[:begin] + _dedent_to(v.code, indent) + lines[end + 1:])
    checks = {c.name: c.cell for c in grade.find_checks(nb)}
    if v.check not in checks:
        raise VariantError(f"{v.file}: {v.label}: the notebook has no check named {v.check!r}")
    if not v.full:
        nb["cells"] = cells[:checks[v.check] + 1]
    nb.setdefault("metadata", {}).setdefault("streamlab", {})["variant"] = v.label
    return nb


@dataclass
class VariantResult:
    variant: Variant
    ok: bool
    status: str      # what the check did: passed / failed / not run
    detail: str      # the check's reason, or what went wrong
    duration: float


def judge(v: Variant, r: grade.NotebookResult) -> tuple[bool, str, str]:
    c = r.check(v.check)
    if c is None or c.status == "not run":
        return False, "not run", (c.reason if c else "") or r.problem or "the check never ran"
    errors_before = [e for e in r.cell_errors if e["cell"] < c.cell]
    if v.expect == "PASS":
        if not c.ok:
            return False, c.status, f"the check rejected a correct answer: {c.reason}"
        if errors_before:
            e = errors_before[0]
            return False, c.status, f"the check passed, but cell {e['cell']} failed first: {e['reason']}"
        failed_before = [o for o in r.checks if o.cell < c.cell and not o.ok]
        if failed_before:
            o = failed_before[0]
            return False, c.status, f"the check passed, but the earlier check {o.name} rejected this answer: {o.reason}"
        return True, c.status, "passed"
    if c.ok:
        return False, c.status, "the check PASSED a wrong answer: it cannot see this mistake"
    if v.reason and v.reason not in c.reason:
        return False, c.status, f"the check failed, but its message lacks {v.reason!r}: {c.reason}"
    return True, c.status, c.reason


def run_variants(variants: list[Variant], *, report_dir: Path, kernel: str, timeout: float | None,
                 echo=print) -> list[VariantResult]:
    work = report_dir / "variants"
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for n, v in enumerate(variants, 1):
        ref_path = REPO / v.notebook
        nb = json.loads(ref_path.read_text(encoding="utf-8"))
        patched = apply_variant(nb, v)
        path = work / (grade.slug(f"{Path(v.notebook).stem}-{v.check}-{n}") + ".ipynb")
        path.write_text(json.dumps(patched, indent=1, ensure_ascii=False), encoding="utf-8")
        nb_timeout = grade.notebook_timeout(nb, timeout)
        echo(f"[variants] {n}/{len(variants)} {v.notebook}: {v.label} (expect {v.expect}) ...")
        r = grade.grade_notebook(path, v.notebook, kernel=kernel, timeout=nb_timeout, report_dir=report_dir,
                                 cwd=ref_path.parent, log_name=f"variants/{path.stem}")
        ok, status, detail = judge(v, r)
        results.append(VariantResult(v, ok, status, detail, r.duration))
        echo(f"[variants]   {'as expected' if ok else 'NOT AS EXPECTED'}: check {status} in {r.duration:.0f} s"
             + ("" if ok and v.expect == "PASS" else f"; {grade._short(detail, 300)}"))
        if r.interrupted:
            break
    return results


def write_report(results: list[VariantResult], path: Path) -> None:
    good = sum(r.ok for r in results)
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = ["# Check variants: each check against wrong and alternative answers", "",
             f"{when}: **{good} as expected, {len(results) - good} not**", "",
             "| notebook | check | variant | expect | check did | as expected | time (s) | detail |",
             "| --- | --- | --- | --- | --- | --- | ---: | --- |"]
    for r in results:
        v = r.variant
        lines.append(f"| `{v.notebook}` | `{v.check}` | {grade._md(v.name)} | {v.expect} | {r.status} | "
                     f"{'yes' if r.ok else '**no**'} | {r.duration:.0f} | {grade._md(grade._short(r.detail, 300))} |")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def collect(paths: list[Path]) -> list[Path]:
    if not paths:
        return sorted(VARIANTS_DIR.glob("*.toml"))
    return [p for p in paths]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade each check against wrong and alternative answers.")
    parser.add_argument("files", nargs="*", type=Path, help="variant files (default: tools/check_variants/*.toml)")
    parser.add_argument("--only", action="append", default=[],
                        help="run only variants whose check name or variant name contains this text (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the variants and stop")
    parser.add_argument("--ci", action="store_true",
                        help="only the variants marked `ci = true` (the subset ./streamlab test runs, a few minutes)")
    parser.add_argument("--kernel", default=grade.DEFAULT_KERNEL)
    parser.add_argument("--timeout", type=float, default=None, help="seconds per variant (default: the notebook's)")
    parser.add_argument("--report-dir", type=Path, default=REPO / "reports")
    args = parser.parse_args(argv)
    try:
        variants = [v for f in collect(args.files) for v in load_variants(f)]
        for v in variants:  # every patch applies, before anything slow runs
            apply_variant(json.loads((REPO / v.notebook).read_text(encoding="utf-8")), v)
    except VariantError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.ci:
        variants = [v for v in variants if v.ci]
    if args.only:
        variants = [v for v in variants if any(o in v.check or o in v.name for o in args.only)]
    if args.list or not variants:
        for v in variants:
            print(f"{v.notebook}  {v.expect}  {v.label}")
        if not variants:
            print("no variants selected", file=sys.stderr)
        return 0 if variants else 2
    report_dir = args.report_dir.resolve()
    results = run_variants(variants, report_dir=report_dir, kernel=args.kernel, timeout=args.timeout)
    write_report(results, report_dir / "variants.md")
    good = sum(r.ok for r in results)
    print(f"[variants] report: {grade.display_path(report_dir / 'variants.md')}")
    print(f"{good} as expected, {len(results) - good} not")
    return 0 if good == len(results) == len(variants) else 1


if __name__ == "__main__":
    sys.exit(main())
