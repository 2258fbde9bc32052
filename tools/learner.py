#!/usr/bin/env python3
"""Write the learner versions of the course notebooks.

A reference notebook holds its solutions between marker lines in Java code cells::

    static int totalQuantity(List<Order> orders) {
        // BEGIN SOLUTION
        // Sum the quantities with a stream.
        return orders.stream().mapToInt(Order::quantity).sum();
        // END SOLUTION
    }

The learner version replaces every block, markers included, by one statement that throws, indented like
the BEGIN line::

    static int totalQuantity(List<Order> orders) {
        throw new UnsupportedOperationException("TODO: Sum the quantities with a stream.");
    }

The TODO text is the block's first comment line (``// ...``), or "your solution here".

Convention (checked by this tool, so that every stub compiles):

* A solution block is a sequence of whole statements that **ends** a method body, a constructor, a lambda
  body or an initializer block: the first non-blank line after ``// END SOLUTION`` starts with ``}``.
  A ``throw`` is the last statement there, so neither "missing return statement" nor "unreachable
  statement" can occur, whatever the method returns. In an initializer or a constructor (which Java
  requires to be able to complete normally) the stub is ``if (true) throw ...;``.
* Or it stands at the top level of a cell (outside any braces): JShell runs the ``throw`` as a statement
  and the cell fails with the TODO message. Declarations made inside such a block do not exist in the
  learner version, so later cells that use them fail too (with "cannot find symbol"), which is expected.
* Blocks do not nest, and every BEGIN has its END in the same cell.
* In a ``%%bash`` / ``%%sh`` cell the markers are ``# BEGIN SOLUTION`` / ``# END SOLUTION`` and the stub is
  ``echo 'TODO: ...' >&2; exit 1`` (the TODO text is the block's first ``#`` comment).

All outputs and execution counts are cleared in the learner versions.

Usage::

    python3 tools/learner.py                      # notebooks/**/*.ipynb -> build/learner/notebooks/...
    python3 tools/learner.py --out DIR [PATHS...] # write under DIR, keeping paths relative to the repo
    python3 tools/learner.py --course             # the course a learner opens (what ./streamlab setup runs)

The course (``--course``, folder ``course/``, git-ignored, generated from notebooks/ which stays the one source):

* ``course/PHASE/NAME.ipynb``: the exercise versions, what JupyterLab opens;
* ``course/solutions/PHASE/NAME.ipynb``: copies of the references (solutions inline), outputs cleared;
* ``course/datasets``: a link to the course's datasets (the solutions read ``../../datasets`` too).

A learner's work is never overwritten: ``course/.generated.json`` records the SHA-256 of every file as written;
a file is (re)written only when it is missing or still exactly what was generated (then it follows the
reference after a ``git pull``). A file the learner changed, even by saving outputs, is kept and reported; delete it
and run setup again to get a fresh copy.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "build" / "learner"
NOTEBOOKS_DIR = REPO / "notebooks"
COURSE_DIR = REPO / "course"
SOLUTIONS_DIR_NAME = "solutions"
MANIFEST_NAME = ".generated.json"

BEGIN_RE = re.compile(r"^(?P<indent>[ \t]*)//\s*BEGIN SOLUTION\b.*$")
END_RE = re.compile(r"^[ \t]*//\s*END SOLUTION\b.*$")
COMMENT_RE = re.compile(r"^\s*//\s?(?P<text>.*?)\s*$")
DEFAULT_TODO = "your solution here"
# Shell cells (%%bash, %%sh) mark solutions with `# BEGIN SOLUTION` / `# END SOLUTION`; the stub prints the TODO to
# stderr and exits 1, so the cell fails with the TODO and the files the solution would write do not exist.
SHELL_CELL_RE = re.compile(r"\A\s*%%(?:bash|sh)\b")
SHELL_BEGIN_RE = re.compile(r"^(?P<indent>[ \t]*)#\s*BEGIN SOLUTION\b.*$")
SHELL_END_RE = re.compile(r"^[ \t]*#\s*END SOLUTION\b.*$")
SHELL_COMMENT_RE = re.compile(r"^\s*#\s?(?P<text>.*?)\s*$")


def markers(source: str) -> tuple[re.Pattern, re.Pattern]:
    """The BEGIN and END marker patterns of a cell: `#` comments in a shell cell, `//` in Java."""
    return (SHELL_BEGIN_RE, SHELL_END_RE) if SHELL_CELL_RE.match(source) else (BEGIN_RE, END_RE)


def shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def transform_shell_source(source: str, where: str = "cell") -> tuple[str, int]:
    """The learner version of a %%bash / %%sh cell: each solution block becomes `echo 'TODO: ...' >&2; exit 1`."""
    lines = source.split("\n")
    out: list[str] = []
    blocks = 0
    i = 0
    while i < len(lines):
        m = SHELL_BEGIN_RE.match(lines[i])
        if not m:
            if SHELL_END_RE.match(lines[i]):
                raise LearnerError(f"{where}, line {i + 1}: '# END SOLUTION' without a BEGIN")
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not SHELL_END_RE.match(lines[j]):
            if SHELL_BEGIN_RE.match(lines[j]):
                raise LearnerError(f"{where}, line {j + 1}: nested '# BEGIN SOLUTION' (blocks do not nest)")
            j += 1
        if j >= len(lines):
            raise LearnerError(f"{where}, line {i + 1}: '# BEGIN SOLUTION' without an END in the same cell")
        todo = next((c.group("text").strip() for c in map(SHELL_COMMENT_RE.match, lines[i + 1:j])
                     if c and c.group("text").strip()), DEFAULT_TODO)
        out.append(f"{m.group('indent')}echo {shell_quote('TODO: ' + todo)} >&2; exit 1")
        blocks += 1
        i = j + 1
    return "\n".join(out), blocks


class LearnerError(Exception):
    """A reference notebook whose solution markers break the convention."""


def java_string(text: str) -> str:
    """The Java string literal (with quotes) holding text."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


MODIFIERS = {"public", "protected", "private", "static", "final", "abstract", "synchronized", "native",
             "strictfp", "default", "sealed", "non-sealed"}
IDENT_RE = re.compile(r"^[A-Za-z_$][\w$]*$")
HEADER_END_RE = re.compile(r"\)\s*(?:throws\s+[\w$.<>,\s]+)?$")


def stub_line(indent: str, block: list[str], must_complete: bool = False) -> str:
    """The throwing statement that replaces a block. In an initializer or constructor, Java requires the body
    to be able to complete normally, so the throw is wrapped in `if (true)` there (JLS 14.22 treats an `if`
    as able to complete normally); everywhere else a plain throw ends the body."""
    todo = DEFAULT_TODO
    for line in block:
        m = COMMENT_RE.match(line)
        if m and m.group("text").strip():
            todo = m.group("text").strip()
            break
    guard = "if (true) " if must_complete else ""
    return f'{indent}{guard}throw new UnsupportedOperationException({java_string("TODO: " + todo)});'


def opener_text(lines: list[str], depths: list[int], begin: int) -> str:
    """The code that opens the body holding line `begin` (text before its `{`, joined with the line before
    when the brace stands alone)."""
    target = depths[begin]
    for k in range(begin - 1, -1, -1):
        if depths[k] < target:
            text = lines[k].split("//")[0]
            head = text[:text.rfind("{")] if "{" in text else text
            if not head.strip():
                # brace on a line of its own: a method/lambda header above it, or an initializer block
                prev = next((lines[j].split("//")[0].strip() for j in range(k - 1, -1, -1)
                             if lines[j].split("//")[0].strip()), "")
                if HEADER_END_RE.search(prev) or prev.endswith("->"):
                    return prev
                if re.fullmatch(r"(?:[\w$@]+\s+)*[A-Z][\w$]*", prev):  # `public Order` (compact constructor)
                    return prev
                return ""
            return head.strip()
    return ""


def is_initializer_or_constructor(head: str) -> bool:
    """`static {`, `{`, `Name {` (compact constructor) or `[modifiers] Name(...) [throws ...] {`."""
    if head in ("", "static"):
        return True
    if "->" in head or "=" in head.split("(")[0]:
        return False
    before_paren = head.split("(")[0].split()
    if not before_paren:
        return False
    words = [w for w in before_paren if w not in MODIFIERS and not w.startswith("@")]
    if "(" not in head:
        return len(words) == 1 and IDENT_RE.match(words[0]) is not None and words[0][0].isupper()
    return len(words) == 1 and IDENT_RE.match(words[0]) is not None


def brace_depths(lines: list[str]) -> list[int]:
    """Brace depth at the start of each line, skipping comments, strings, char literals and text blocks.

    A light lexer, enough for notebook cells; magic lines (%...) are ignored."""
    depths = []
    depth = 0
    in_block_comment = False
    in_text_block = False
    for line in lines:
        depths.append(depth)
        if not in_block_comment and not in_text_block and line.lstrip().startswith("%"):
            continue
        i, n = 0, len(line)
        while i < n:
            if in_block_comment:
                j = line.find("*/", i)
                if j < 0:
                    break
                in_block_comment, i = False, j + 2
                continue
            if in_text_block:
                j = line.find('"""', i)
                if j < 0:
                    break
                in_text_block, i = False, j + 3
                continue
            two, ch = line[i:i + 2], line[i]
            if two == "//":
                break
            if two == "/*":
                in_block_comment, i = True, i + 2
                continue
            if line.startswith('"""', i):
                in_text_block, i = True, i + 3
                continue
            if ch in "\"'":
                j = i + 1
                while j < n and line[j] != ch:
                    j += 2 if line[j] == "\\" else 1
                i = j + 1
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            i += 1
    return depths


def transform_source(source: str, where: str = "cell") -> tuple[str, int]:
    """The learner version of one code cell's source and the number of solution blocks replaced."""
    if SHELL_CELL_RE.match(source):
        return transform_shell_source(source, where)
    lines = source.split("\n")
    depths = brace_depths(lines)
    out: list[str] = []
    blocks = 0
    i = 0
    while i < len(lines):
        m = BEGIN_RE.match(lines[i])
        if not m:
            if END_RE.match(lines[i]):
                raise LearnerError(f"{where}, line {i + 1}: '// END SOLUTION' without a BEGIN")
            out.append(lines[i])
            i += 1
            continue
        begin = i
        j = i + 1
        while j < len(lines) and not END_RE.match(lines[j]):
            if BEGIN_RE.match(lines[j]):
                raise LearnerError(f"{where}, line {j + 1}: nested '// BEGIN SOLUTION' (blocks do not nest)")
            j += 1
        if j >= len(lines):
            raise LearnerError(f"{where}, line {begin + 1}: '// BEGIN SOLUTION' without an END in the same cell")
        k = j + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        at_top_level = depths[begin] == 0
        closes_body = k < len(lines) and lines[k].lstrip().startswith("}")
        if not at_top_level and not closes_body:
            raise LearnerError(
                f"{where}, line {begin + 1}: a solution block inside braces must end its method, lambda or "
                f"initializer body (the line after '// END SOLUTION' must start with '}}'); move the code "
                f"that follows it into the block")
        must_complete = not at_top_level and is_initializer_or_constructor(opener_text(lines, depths, begin))
        out.append(stub_line(m.group("indent"), lines[begin + 1:j], must_complete))
        blocks += 1
        i = j + 1
    return "\n".join(out), blocks


def learner_notebook(nb: dict, where: str = "notebook") -> tuple[dict, int]:
    """A deep copy of a notebook (nbformat 4 JSON) with solutions stubbed and all outputs cleared."""
    nb = copy.deepcopy(nb)
    total = 0
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        if isinstance(src, list):
            src = "".join(src)
        new_src, n = transform_source(src, f"{where}, cell {index}")
        total += n
        cell["source"] = new_src
        cell["outputs"] = []
        cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    nb.setdefault("metadata", {}).setdefault("streamlab", {})["learner_version"] = True
    return nb, total


DERIVED_SUFFIXES = (".out.ipynb", ".nbconvert.ipynb", ".executed.ipynb")


def is_course_notebook(path: Path) -> bool:
    """A notebook of the course, not a checkpoint or an executed copy (X.out.ipynb, X.nbconvert.ipynb, ...)."""
    return (path.suffix == ".ipynb" and ".ipynb_checkpoints" not in path.parts
            and not path.name.endswith(DERIVED_SUFFIXES))


def find_notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("**/*.ipynb") if is_course_notebook(p))


def default_notebooks(root: Path | None = None) -> list[Path]:
    return find_notebooks((root or REPO) / "notebooks")


def output_path(notebook: Path, out_dir: Path) -> Path:
    notebook = notebook.resolve()
    try:
        rel = notebook.relative_to(REPO)
    except ValueError:
        rel = Path(notebook.name)
    return out_dir / rel


def write_learner_version(notebook: Path, out_dir: Path = DEFAULT_OUT) -> tuple[Path, int]:
    with open(notebook, encoding="utf-8") as f:
        nb = json.load(f)
    learner, blocks = learner_notebook(nb, str(notebook))
    target = output_path(notebook, out_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(learner, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return target, blocks


def link_datasets(out_dir: Path) -> None:
    """Notebooks read ../../datasets: the learner tree gets the course's datasets beside its notebooks, so a learner
    check fails on its stub, not on a missing file."""
    link = out_dir / "datasets"
    target = (REPO / "datasets").resolve()
    if link.exists() and link.resolve() == target:
        return
    if link.is_symlink():  # dangling, or pointing at another checkout
        link.unlink()
    elif link.exists():
        raise LearnerError(f"{link} exists and is not a link to {target}: move it away")
    out_dir.mkdir(parents=True, exist_ok=True)
    # relative, so that the folder still works when the checkout moves (or is copied into an image)
    link.symlink_to(os.path.relpath(target, out_dir.resolve()), target_is_directory=True)


def _notebook_text(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _sha256(text: str) -> str:
    import hashlib
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def solution_notebook(nb: dict) -> dict:
    """A reference as learners see it in course/solutions: solutions kept, outputs cleared."""
    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def write_course(course_dir: Path = COURSE_DIR, notebooks_dir: Path = NOTEBOOKS_DIR,
                 echo=print) -> dict[str, list[str]]:
    """Write the course a learner opens (see the module doc), never overwriting a file the learner changed.

    Returns the relative paths by what happened: written, unchanged, kept (changed by the learner)."""
    course_dir.mkdir(parents=True, exist_ok=True)
    link_datasets(course_dir)
    manifest_path = course_dir / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    done: dict[str, list[str]] = {"written": [], "unchanged": [], "kept": []}
    for ref in find_notebooks(notebooks_dir):
        rel = ref.relative_to(notebooks_dir)
        with open(ref, encoding="utf-8") as f:
            nb = json.load(f)
        exercise, _ = learner_notebook(nb, str(ref))
        exercise["metadata"]["streamlab"]["reference"] = str(Path("notebooks") / rel)
        for target_rel, version in ((rel, exercise), (Path(SOLUTIONS_DIR_NAME) / rel, solution_notebook(nb))):
            key = target_rel.as_posix()
            target = course_dir / target_rel
            text = _notebook_text(version)
            if target.exists():
                current = _sha256(target.read_text(encoding="utf-8", errors="replace"))
                if current == _sha256(text):
                    manifest[key] = current
                    done["unchanged"].append(key)
                    continue
                if manifest.get(key) != current:
                    done["kept"].append(key)
                    continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
            manifest[key] = _sha256(text)
            done["written"].append(key)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for key in done["kept"]:
        echo(f"kept {course_dir.name}/{key}: you changed it (delete it and run setup again for a fresh copy)")
    echo(f"{course_dir}: {len(done['written'])} written, {len(done['unchanged'])} unchanged, "
         f"{len(done['kept'])} kept as you changed them")
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write learner versions of the notebooks (solutions stubbed).")
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: notebooks/**/*.ipynb)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder to write into, paths kept relative to the repository (default: build/learner)")
    parser.add_argument("--course", nargs="?", type=Path, const=COURSE_DIR, default=None, metavar="DIR",
                        help="write the course a learner opens (exercises, solutions/, datasets link) into DIR "
                             "(default: course/), keeping every notebook the learner changed")
    args = parser.parse_args(argv)
    if args.course is not None:
        try:
            write_course(args.course)
        except LearnerError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        return 0
    notebooks = args.paths or default_notebooks()
    if not notebooks:
        print("no notebooks found", file=sys.stderr)
        return 1
    try:
        link_datasets(args.out)
        for nb in notebooks:
            target, blocks = write_learner_version(nb, args.out)
            print(f"{nb} -> {target} ({blocks} solution block{'s' if blocks != 1 else ''} stubbed)")
    except LearnerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
