"""``python -m psvis.cli``: the same as the ``psvis`` script."""

from psvis.cli.main import main

main()
