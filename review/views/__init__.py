"""The console's endpoints, one module per page family; the URL map is review/routes.py."""
