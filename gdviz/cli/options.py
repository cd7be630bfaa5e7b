"""Command-line options shared by ``gdviz run`` and ``gdviz sweep``, mapped onto RunConfig."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import fields

from gdviz.core.config import FIELD_SPECS, ConfigError, RunConfig
from gdviz.core.data import DATASET_NAMES

EXIT_USAGE = 2  # bad input of any kind: one line on stderr, no traceback


class UsageError(Exception):
    """Bad command-line input; main() prints the message on one line and exits 2."""


# Values that start with a minus sign but are numbers, not options: -1, -0.5, -1e-5, -inf, -nan
# (argparse alone takes "-inf" and "-1e-5" for options: "--lr -inf" said "expected one argument").
NEGATIVE_NUMBER = re.compile(r"^-(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|inf(inity)?|nan)$",
                             re.IGNORECASE)  # fmt: skip


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER  # argparse's own hook for this

    def error(self, message: str):
        # A value of thousands of characters is named by its start, not repeated in full.
        message = re.sub(r"'([^']{30})[^']{10,}'", r"'\1…'", message)
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _point(text: str) -> tuple[float, float]:
    try:
        first, second = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two numbers as P1,P2, got {text!r}") from None
    return first, second


def add_run_options(parser: argparse.ArgumentParser, only_given: bool = False) -> None:
    """Every field of RunConfig that has a flag, with the field as ``dest``: the options, their
    types, choices and help come from RunConfig's field specs. With ``only_given`` an option
    that is not on the command line leaves no value (the window then knows what was asked)."""
    defaults = RunConfig()
    groups = {"problem": parser.add_argument_group("problem"),
              "hyperparameter": parser.add_argument_group("hyperparameters")}  # fmt: skip
    groups["identity"] = groups["hyperparameter"]
    budget = groups["hyperparameter"].add_mutually_exclusive_group()
    for f in fields(RunConfig):
        s = FIELD_SPECS[f.name]
        if s.flag is None:
            continue
        default = getattr(defaults, f.name)
        group = budget if f.name in ("epochs", "steps") else groups[s.role]
        options = {"dest": f.name, "help": _help(f.name, s)}
        if only_given:
            options["default"] = argparse.SUPPRESS
        if isinstance(default, bool):
            options["action"] = "store_false" if default else "store_true"
        elif f.name == "start":
            options.update(type=_point, metavar=s.metavar)
        else:
            kind = str(f.type)
            options["type"] = (
                int if kind.startswith("int") else (float if kind.startswith("float") else str)
            )
            options.setdefault("default", default)
            if s.choices:
                options["choices"] = s.choices
            if s.metavar:
                options["metavar"] = s.metavar
        group.add_argument(s.flag, **options)


def _help(name: str, s) -> str | None:
    if name == "dataset":
        return f"built-in data set ({', '.join(DATASET_NAMES)}) or a CSV file"
    return s.help or None


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """A validated RunConfig from parsed options (raises ConfigError)."""
    names = set(RunConfig.__dataclass_fields__)
    values = {k: v for k, v in vars(args).items() if k in names}
    if values.get("steps") is not None:
        values["epochs"] = None
    try:
        return RunConfig(**values)
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(str(exc)) from None


def fail(message: str, code: int = EXIT_USAGE) -> int:
    """Print one line on stderr and return the exit status."""
    print(" ".join(str(message).split()), file=sys.stderr)
    return code
