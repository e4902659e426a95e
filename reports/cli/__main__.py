"""``python -m reports.cli``: the same as the ``nowan`` command."""
from reports.cli import main

main()
