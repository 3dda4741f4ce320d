"""Uslugi benchmarks: `make bench` (or `python -m bench [suite ...]`) runs them against the
portal served by granian on a loopback port, loads it with wrk and writes the figures to
docs/benchmarks.md. Suites are the modules `bench/suite_<name>.py`; see bench/__main__.py.

Benchmarks are never tests: no figure ever fails a build.
"""
