"""The editors' web console (issue 5): Starlette app, pages, accounts and sessions."""
