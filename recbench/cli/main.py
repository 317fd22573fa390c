"""The ``recbench`` command line."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import traceback
import warnings

from recbench import __version__
from recbench.cli import compare, info, run, tables, transfer
from recbench.cli import eval as eval_cmd
from recbench.cli.data_options import attach_negative_values
from recbench.cli.parser import Parser
from recbench.errors import RecbenchError


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="recbench", description="Benchmark classical recommender algorithms.")
    parser.add_argument("--version", action="version", version=f"recbench {__version__}")
    common = Parser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="show tracebacks and details")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    original = sub.add_parser

    def add_parser(name, **kw):
        p = original(name, parents=[common], **kw)
        p.set_defaults(command_parser=p)       # unknown options are reported by their command
        return p

    sub.add_parser = add_parser
    run.add_parser(sub)
    info.add_parsers(sub)
    compare.add_parser(sub)
    transfer.add_parser(sub)
    tables.add_parser(sub)
    eval_cmd.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args, unknown = build_parser().parse_known_args(attach_negative_values(argv))
    if unknown:
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.argv = argv
    if not args.verbose:
        warnings.filterwarnings("ignore", category=FutureWarning)
    try:
        return args.func(args)
    except RecbenchError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"recbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("recbench: interrupted; an earlier run in the output folder is untouched "
              "(--resume reuses the jobs that finished)", file=sys.stderr)
        return 130
    except BrokenPipeError:            # e.g. `recbench run | head`
        sys.stderr.close()
        return 0


def entry(argv: list[str] | None = None) -> None:
    """The program (``recbench`` and ``python -m recbench``): run :func:`main`, then end the
    process even when a plugin left a non-daemon thread running, which would otherwise keep
    it alive after its work is done (the thread gets 2 s to finish, and is named)."""
    code = main(argv)
    left = [t for t in threading.enumerate()
            if t is not threading.main_thread() and t.is_alive() and not t.daemon]
    for t in left:
        t.join(timeout=2.0 / len(left))
    left = [t.name for t in left if t.is_alive()]
    if not left:
        raise SystemExit(code)
    print(f"recbench: warning: threads left running by a plugin ({', '.join(left)}) were "
          f"stopped when recbench exited.", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
