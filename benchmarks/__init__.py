"""Guichet's performance benchmarks: ``python -m benchmarks --help``.

They run on a throw-away database filled with production-sized data, so the numbers show how
pages behave with many rows, which the test suite's handful of rows cannot.
"""
