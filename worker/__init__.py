"""The `dienhinh` command and, later, the scheduled worker: wiring only."""
