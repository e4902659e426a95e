"""``python -m reports.cli``: the same as the ``nowan`` command."""
from nowan.reports.cli import main

main()
