"""The load benchmark: a deterministic data-set generator and a runner (`make bench`).

- `bench.generate` builds a data set of any size on PostgreSQL (`python -m bench.generate --help`);
- `bench.run` serves it with gunicorn and loads every listed endpoint with wrk against the
  bare-Django floor view, and writes `bench/results/<date>.json`.

See bench/README.md.
"""
