"""Reports for the Emulation & Rewards Board: quota compliance for the annual scoring.

``periods`` (local-time periods), ``compliance`` (the counting and the JSON contract),
``render`` (table, JSON, CSV), ``xlsx`` (the administrative workbook), ``cli`` (the
``dienhinh report`` subcommand), ``config`` (the ``[report]`` section).
"""
