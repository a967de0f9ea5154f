"""`python -m dienhinh` runs the command line."""

from dienhinh.worker.cli import main

raise SystemExit(main())
