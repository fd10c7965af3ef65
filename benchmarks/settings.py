"""Settings the benchmarks measure with: the test settings (real PostgreSQL and Redis, fast
password hashing), but with production's persistent database connections.

The tests close the connection after every request (``CONN_MAX_AGE = 0``) so that no test sees
another's session state; measured that way, every page would pay a new PostgreSQL backend (its
connection, then catalogue caches filled again by the first queries), about 8 ms that no agent
pays in production, where ``crm/settings.py`` keeps connections for 60 s.
"""

from tests.settings import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405

# Production runs with DEBUG off: no SQL kept per query, no template debug information, and
# the middleware and error paths it takes. (The query counts are read by capturing them.)
DEBUG = False
