"""The docs check: README.md and docs/*.md cannot go stale silently.

Every shell command of a fenced code block that calls whyalign (``whyalign ...``,
``python -m whyalign.train ...``, ``accelerate launch ... -m whyalign.train ...``,
``inspect eval whyalign/...``) must parse against the real command line: the verb exists and
every option is one of its options. Commands that are cheap and offline (listing families,
printing a scenario, classifying, a dry run) are run for real. YAML examples are loaded by
the code that reads them, Python examples are run, and every relative link must resolve.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from typer.testing import CliRunner

from whyalign.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 220

FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
SHELL = {"", "bash", "sh", "shell", "console"}
SUBSTITUTION = re.compile(r"\$\(([^()]*)\)")
ENV_VAR = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
HISTORY_LABEL = re.compile(r"\bstops? \d", re.I)
# Verbs (as paths through the typer app) that run offline in well under a second.
RUNNABLE = {("families",), ("scenario",), ("classify",), ("spec", "sections")}
DRY_RUNNABLE = {("demo",), ("run",)}  # only with --dry-run


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int
    lang: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


@dataclass(frozen=True)
class Command:
    where: str
    kind: str  # whyalign, train, inspect or accelerate
    argv: tuple[str, ...]
    stdin: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.kind} {' '.join(self.argv)}"


def blocks() -> list[Block]:
    out = []
    for doc in DOCS:
        text = doc.read_text()
        for m in FENCE.finditer(text):
            line = text.count("\n", 0, m.start()) + 2  # the block's first line
            out.append(Block(doc, line, m.group(1).lower(), m.group(2)))
    return out


def _logical_lines(block: Block) -> list[tuple[int, str]]:
    """Lines of a shell block, backslash continuations joined, comments and blanks dropped."""
    out, pending, start = [], "", 0
    for offset, raw in enumerate(block.text.splitlines()):
        if not pending:
            start = block.line + offset
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        line = (pending + raw).strip()
        pending = ""
        if line and not line.startswith("#"):
            out.append((start, line))
    return out


def _segments(line: str) -> list[tuple[list[str], str | None]]:
    """Simple commands of a pipeline or list, each with what an `echo` before it pipes in."""
    tokens = shlex.split(ENV_VAR.sub("0", line), comments=True)
    segments: list[list[str]] = [[]]
    operators: list[str] = []
    for tok in tokens:
        if tok in ("|", "&&", ";", "||"):
            segments.append([])
            operators.append(tok)
        else:
            segments[-1].append(tok)
    out: list[tuple[list[str], str | None]] = []
    for i, seg in enumerate(segments):
        stdin = None
        if i and operators[i - 1] == "|" and segments[i - 1][:1] == ["echo"]:
            stdin = " ".join(segments[i - 1][1:]) + "\n"
        out.append((seg, stdin))
    return out


def _classify(seg: list[str], stdin: str | None, where: str) -> Command | None:
    if not seg:
        return None
    head = Path(seg[0]).name
    if head == "whyalign":
        return Command(where, "whyalign", tuple(seg[1:]), stdin)
    if head.startswith("python") and seg[1:3] == ["-m", "whyalign.train"]:
        return Command(where, "train", tuple(seg[3:]))
    if head == "inspect" and seg[1:2] == ["eval"]:
        if any(a.startswith("whyalign/") for a in seg[2:]):
            return Command(where, "inspect", tuple(seg[2:]))
        return None
    if head == "accelerate" and seg[1:2] == ["launch"] and "whyalign.train" in seg:
        return Command(where, "accelerate", tuple(seg[2:]))
    return None


def commands() -> list[Command]:
    out = []
    for block in blocks():
        if block.lang not in SHELL:
            continue
        for line_no, line in _logical_lines(block):
            where = f"{block.doc.relative_to(ROOT)}:{line_no}"
            inner = SUBSTITUTION.findall(line)
            for text in [SUBSTITUTION.sub("SUBSTITUTED", line), *inner]:
                for seg, stdin in _segments(text):
                    cmd = _classify(seg, stdin, where)
                    if cmd is not None:
                        out.append(cmd)
    return out


COMMANDS = commands()
ROOT_COMMAND = typer.main.get_command(app)


def _resolve(argv: tuple[str, ...]) -> tuple[tuple[str, ...], Any, list[str]]:
    """(verb path, its click command, the remaining arguments). `whyalign --help` alone
    resolves to the app itself."""
    cmd = ROOT_COMMAND
    path: list[str] = []
    rest = list(argv)
    while hasattr(cmd, "commands"):  # a group (typer ships its own copy of click's classes)
        if rest in ([], ["--help"]) and "--help" in argv:
            break
        assert rest, f"no verb after {' '.join(['whyalign', *path])}"
        name = rest.pop(0)
        assert name in cmd.commands, f"unknown verb {name!r}; known: {', '.join(cmd.commands)}"
        cmd = cmd.commands[name]
        path.append(name)
    return tuple(path), cmd, rest


def _without(args: list[str], flag: str, takes_value: bool) -> list[str]:
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a == flag:
            skip = takes_value
        elif not a.startswith(flag + "="):
            out.append(a)
    return out


def _parse_train(argv: list[str]) -> None:
    """``STAGE [flags]`` through the parser `python -m whyalign.train` and `whyalign train` use."""
    from whyalign.train.run import parse

    try:
        parse(argv)
    except SystemExit as err:  # argparse's way of saying "bad flag"
        raise AssertionError(f"the train parser rejects {argv} (exit {err.code})") from None
    except ValueError as err:  # HfArgumentParser: flags no config field takes
        raise AssertionError(f"the train parser rejects {argv}: {err}") from None


def _check_train(args: list[str]) -> None:
    """A `python -m whyalign.train` / `whyalign train` argument list against the train parser."""
    from whyalign.train.run import main

    if args[:1] == ["configs"]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(args) == 0, f"no such accelerate config: {args[1:]}"
        assert all(Path(p).is_file() for p in out.getvalue().split()), out.getvalue()
        return
    # --config names a file of the reader's; --help prints and exits. The YAML examples are
    # checked against the same parser in test_yaml_examples_load.
    _parse_train(_without(_without(args, "--help", False), "--config", True))


def _check_whyalign(cmd: Command) -> tuple[tuple[str, ...], list[str]]:
    path, click_cmd, rest = _resolve(cmd.argv)
    if path == ("train",):
        _check_train(rest)
        return path, rest
    if "--help" in cmd.argv:
        return path, rest  # the verb exists; its help takes no other check
    try:
        click_cmd.make_context(" ".join(("whyalign", *path)), rest, resilient_parsing=False)
    except Exception as err:  # click's usage errors: name the command and say why
        why = err.format_message() if hasattr(err, "format_message") else repr(err)
        raise AssertionError(f"{cmd}: {why}") from None
    return path, rest


def _check_inspect(argv: tuple[str, ...]) -> None:
    from inspect_ai._cli.main import inspect as inspect_cli

    from whyalign import _registry

    try:
        ctx = inspect_cli.commands["eval"].make_context("eval", list(argv), resilient_parsing=False)
    except Exception as err:
        why = err.format_message() if hasattr(err, "format_message") else repr(err)
        raise AssertionError(f"inspect eval {' '.join(argv)}: {why}") from None
    for name in ctx.params["tasks"]:
        assert name.startswith("whyalign/"), name
        task_name = name.split("/", 1)[1]
        assert task_name in _registry.__all__, f"no whyalign task {task_name!r}"
        params = inspect.signature(getattr(_registry, task_name)).parameters
        for kv in ctx.params.get("t") or ():
            key = kv.split("=", 1)[0].replace("-", "_")
            assert key in params, f"-T {key}: not a parameter of {name} ({', '.join(params)})"


def _check_accelerate(argv: tuple[str, ...]) -> None:
    from accelerate.commands.launch import launch_command_parser

    args = launch_command_parser().parse_args(list(argv))
    assert args.module and args.training_script == "whyalign.train", argv
    _check_train(list(args.training_script_args))


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """A scratch working directory holding the docs' example files (family YAML, study)."""
    monkeypatch.chdir(tmp_path)
    for block in blocks():
        if block.lang == "yaml":
            data = yaml.safe_load(block.text)
            if isinstance(data, dict) and "name" in data and ("split" in data or "arms" in data):
                (tmp_path / f"{data['name']}.yaml").write_text(block.text)
    return tmp_path


@pytest.mark.parametrize("cmd", COMMANDS, ids=[f"{c.where}-{c.kind}" for c in COMMANDS])
def test_documented_command_parses(cmd: Command, in_tmp):
    if cmd.kind == "train":
        _check_train(list(cmd.argv))
    elif cmd.kind == "inspect":
        _check_inspect(cmd.argv)
    elif cmd.kind == "accelerate":
        _check_accelerate(cmd.argv)
    else:
        _check_whyalign(cmd)


def _runnable(cmd: Command) -> bool:
    if cmd.kind != "whyalign" or "--help" in cmd.argv:
        return False
    try:
        path, _, rest = _resolve(cmd.argv)
    except AssertionError:
        return False  # test_documented_command_parses reports it
    if "--grader" in rest:  # names a model: parsed only, never called
        return False
    return path in RUNNABLE or (path in DRY_RUNNABLE and "--dry-run" in rest)


RUNS = [c for c in COMMANDS if _runnable(c)]


@pytest.mark.parametrize("cmd", RUNS, ids=[f"{c.where}-{' '.join(c.argv[:2])}" for c in RUNS])
def test_cheap_documented_command_runs(cmd: Command, in_tmp):
    result = CliRunner().invoke(app, list(cmd.argv), input=cmd.stdin)
    assert result.exit_code == 0, f"{cmd}\n{result.output}"
    assert result.output.strip(), f"{cmd}: printed nothing"
    assert not list(in_tmp.glob("runs")), f"{cmd}: a dry run wrote a run directory"


def test_the_docs_cover_every_verb():
    """So the check cannot pass by finding nothing, and a new verb gets documented."""
    documented = set()
    for cmd in COMMANDS:
        if cmd.kind == "whyalign":
            with contextlib.suppress(AssertionError):
                documented.add(_resolve(cmd.argv)[0])
    verbs = set()
    for name, sub in ROOT_COMMAND.commands.items():
        subs = getattr(sub, "commands", None)
        verbs |= {(name, s) for s in subs} if subs else {(name,)}
    assert not verbs - documented, f"verbs no doc shows: {sorted(verbs - documented)}"
    kinds = {c.kind for c in COMMANDS}
    assert {"train", "inspect", "accelerate"} <= kinds, kinds
    assert RUNS, "no cheap command is run"


def _yaml_kind(block: Block) -> str:
    data = yaml.safe_load(block.text)
    assert isinstance(data, dict), f"{block.where}: not a YAML mapping"
    if "arms" in data:
        return "experiment"
    if "split" in data:
        return "family"
    if re.match(r"#\s*(docs|chat|prefs)\.yaml\b", block.text):
        return "train"
    return "other"


YAML_BLOCKS = [b for b in blocks() if b.lang == "yaml"]


@pytest.mark.parametrize("block", YAML_BLOCKS, ids=[b.where for b in YAML_BLOCKS])
def test_yaml_example_loads(block: Block, in_tmp):
    """Experiment and family examples load through the code that reads them; a block headed
    `# STAGE.yaml` is a training config the train parser reads."""
    from whyalign.experiment import parse as parse_experiment
    from whyalign.scenarios.schema import parse_family

    kind, data = _yaml_kind(block), yaml.safe_load(block.text)
    if kind == "experiment":
        parse_experiment(data, block.where)
    elif kind == "family":
        parse_family(in_tmp / f"{data['name']}.yaml")
    elif kind == "train":
        stage = block.text.split(".yaml", 1)[0].lstrip("# ").strip()
        config = in_tmp / f"{stage}.yaml"
        config.write_text(block.text)
        _parse_train([stage, "--config", str(config)])


def test_yaml_examples_cover_each_reader():
    assert {_yaml_kind(b) for b in YAML_BLOCKS} >= {"experiment", "family", "train"}


def test_python_examples_run(in_tmp):
    ran = 0
    for block in blocks():
        if block.lang == "python":
            exec(compile(block.text, block.where, "exec"), {})
            ran += 1
    assert ran


def _anchors(doc: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    out = set()
    for m in re.finditer(r"^#+\s+(.+)$", FENCE.sub("", doc.read_text()), re.M):
        slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
        out.add(slug)
    return out


def test_relative_links_resolve():
    checked = 0
    for doc in DOCS:
        for target in LINK.findall(FENCE.sub("", doc.read_text())):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            dest = (doc.parent / file).resolve() if file else doc
            assert dest.exists(), f"{doc.relative_to(ROOT)}: broken link {target}"
            assert ROOT in dest.parents or dest == ROOT, f"{doc.name}: {target} leaves the repo"
            if anchor and dest.suffix == ".md":
                assert anchor in _anchors(dest), f"{doc.relative_to(ROOT)}: no anchor {target}"
            checked += 1
    assert checked


def test_no_build_history_in_readme_or_docs():
    for doc in DOCS:
        for n, line in enumerate(doc.read_text().splitlines(), 1):
            assert not HISTORY_LABEL.search(line), f"{doc.relative_to(ROOT)}:{n}: {line.strip()}"
            assert "../shared" not in line, f"{doc.relative_to(ROOT)}:{n}: points outside"


def test_readme_opens_with_install_and_stays_short():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= README_MAX_LINES
    first = FENCE.search(text)
    assert first and "scripts/main.sh" in first.group(2) and "scripts/test.sh" in first.group(2)
    assert text.index("scripts/main.sh") < text.index("## ")  # before any section
    assert "source .venv/bin/activate" in text
