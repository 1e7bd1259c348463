"""`python -m sb_worker.cli`: the `sb` command."""

from sb_worker.cli import main

raise SystemExit(main())
