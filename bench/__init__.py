"""City-scale benchmark of learning-hour credits (issue 4, "Scale, measured").

``python -m bench`` (``make bench``) creates and fills a separate PostgreSQL
database (``gz_bench``) with 30,000 teachers and 1,500,000 ledger entries if
it is empty, then measures the teacher's page, the completion views, the
district batch API against ``COPY`` and the city-wide export. See
docs/benchmarks.md.
"""
