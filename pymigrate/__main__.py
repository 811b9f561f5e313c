"""`python -m pymigrate` is the `pymigrate` command."""

from pymigrate.cli import main

raise SystemExit(main())
