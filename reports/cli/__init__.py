"""The ``nowan`` command line: the entry point, which picks the way in.

The click group (``reports/cli/group.py``) serves every sub-command. The plain forms of ``nowan gbcs
verify`` are run without importing click (``reports/cli/gbcs_verify.py``): verifying 1,000 files from
the command line must cost no more than a plain script doing the same crypto, and click's import is
most of the difference (bench/gbcs_verify.py). Both ways give the same bytes and exit status
(tests/reports/test_cli_gbcs_fast.py). ``from nowan.reports.cli import cli`` still gives the group.
"""
from __future__ import annotations

import gc
import sys
import warnings

from nowan.model.errors import printable


def _warning_line(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """Print a warning as one escaped line on stderr, without the library's source line."""
    sys.stderr.write(f"nowan: warning: {printable(message, 300)}\n")
    sys.stderr.flush()


def main() -> None:
    """Console-script entry point. A library's warning (GitHub unreachable, say) is one line too."""
    warnings.showwarning = _warning_line
    args = sys.argv[1:]
    if args[:2] == ["gbcs", "verify"]:
        # What start-up allocates lives until exit; the collector, off while the verifier's modules
        # load, is switched on again by fast_path whichever way it goes.
        gc.disable()
        from nowan.reports.cli.gbcs_verify import fast_path

        status = fast_path(args[2:])
        if status is not None:
            sys.exit(status)
    from nowan.reports.cli.group import main as click_main

    click_main()


def __getattr__(name: str):  # noqa: ANN202 - the click group, imported on first use
    if name == "cli":
        from nowan.reports.cli.group import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
