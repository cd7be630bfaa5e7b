"""``gdviz`` / ``python -m gdviz``: the window by default, or a headless subcommand."""

from __future__ import annotations

import argparse
import sys
import warnings

from gdviz import __version__
from gdviz.cli import batch_scaling, explain, lr_range, render, run, sweep
from gdviz.cli.options import OneLineParser, UsageError, add_run_options, fail
from gdviz.core.atomic import WriteError
from gdviz.core.config import ConfigError
from gdviz.core.data import DataError


def build_parser() -> OneLineParser:
    parser = OneLineParser(
        prog="gdviz",
        # Abbreviations are matched against every word of the command line, a subcommand's
        # options too: "gdviz explain --step 3" would be "ambiguous" (--steps, --step-size).
        allow_abbrev=False,
        description="gdviz makes gradient descent visible: choose a learning rate, a batch size "
        "and a number of epochs, and watch the weight and bias move over the loss surface.",
        epilog="gdviz SESSION.json opens a session saved with File > Save session.",
    )
    parser.add_argument("--version", action="version", version=f"gdviz {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the window, train a few thousand iterations, save a grab",
    )
    window = parser.add_argument_group(
        "the window", "start a prepared demo, e.g. gdviz --lesson 3 --play, or gdviz --dataset "
        "data.csv --x age --y price --batch-size 1 --speed 20 --play"
    )  # fmt: skip
    window.add_argument("--lesson", metavar="N|ID", help="open at a lesson: its number (3) or "
                        "id (learning-rate-too-large)")  # fmt: skip
    window.add_argument("--speed", type=_speed, metavar="N|max", help="iterations per second, "
                        "or max for as fast as possible")  # fmt: skip
    window.add_argument("--play", action="store_true", help="start training at once")
    window.add_argument("--lecture", action="store_true", help="lecture mode: text of at "
                        "least 20 px and big counters (F5 in the window; remembered)")  # fmt: skip
    add_run_options(parser, only_given=True)  # any option of gdviz run: the window's run
    subparsers = parser.add_subparsers(title="commands", parser_class=OneLineParser)
    run.add_parser(subparsers)
    sweep.add_parser(subparsers)
    render.add_parser(subparsers)
    explain.add_parser(subparsers)
    lr_range.add_parser(subparsers)
    batch_scaling.add_parser(subparsers)
    return parser


def _speed(text: str) -> int:
    """``--speed``: a whole number of iterations per second, or max (0)."""
    if text.strip().lower() in ("max", "0"):
        return 0
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or max, got {text!r}") from None
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"expected 1 to 1000000 or max, got {text!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    """Entry point of every gdviz command; returns the process exit status."""
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    try:
        # `gdviz path/to/session.json`: argparse cannot tell a file from a command name.
        if len(argv) == 1 and argv[0].lower().endswith(".json"):
            from gdviz.ui.app import run_app

            return run_app(session=argv[0])
        args = parser.parse_args(argv)
        command = getattr(args, "command", None)
        if args.self_test:
            from gdviz.ui.app import self_test

            return self_test()
        if command is None:
            from gdviz.ui.app import WindowStart, run_app

            return run_app(start=WindowStart.from_args(args))
        with warnings.catch_warnings():
            # Overflow on the way to a divergence or an error is expected and reported as
            # such: numpy's RuntimeWarnings would only print lines before the one that counts.
            warnings.simplefilter("ignore", RuntimeWarning)
            return command(args)
    except (UsageError, ConfigError, DataError) as exc:
        return fail(f"gdviz: {exc}" if not str(exc).startswith("gdviz") else exc)
    except BrokenPipeError:  # output piped into a command that stopped reading (e.g. head)
        sys.stdout = None
        return 1
    except WriteError as exc:  # names the user's path, never a temporary file
        return fail(f"gdviz: {exc}")
    except OSError as exc:
        return fail(f"gdviz: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    except KeyboardInterrupt:
        return fail("gdviz: interrupted", 130)
    except Exception as exc:  # a bug: one line for the user, never a traceback
        return fail(f"gdviz: internal error ({type(exc).__name__}: {exc}); please report it", 1)


if __name__ == "__main__":
    sys.exit(main())
