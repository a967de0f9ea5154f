"""Shared foundations: configuration, errors, plain data types, logging, text helpers.

Nothing here imports from the other dienhinh packages; everything else may import it.
"""
