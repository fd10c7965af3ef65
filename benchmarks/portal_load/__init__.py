"""Form submission under load (issue 10, item 11): logged-in citizens file a published
e-service's form through the portal's real step views, served by gunicorn with the production
settings on loopback, while a load generator keeps them busy for 60 s. The requests filed are then
counted in the database: none lost, none duplicated, at least 150 submissions per second.

``python -m benchmarks.portal_load --help``; the pieces: ``run`` (the driver), ``seed`` (the
throw-away database's data), ``locustfile`` (the citizens), ``verify`` (the counting).
"""
