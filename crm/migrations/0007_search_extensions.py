"""The search's database pieces, on PostgreSQL only: the pg_trgm and unaccent extensions and
two IMMUTABLE functions that indexes may use (``crm/search.py`` says why).

``unaccent(text)`` itself is only STABLE (it reads its dictionary through the search path), so no
index may use it: ``guichet_fold`` names the dictionary and the schema, and is written as an
SQL-standard body, bound when it is created, whatever the search path of the caller. Lower case
is taken after the accents are gone, so that it works in any collation (C included).
"""

from django.db import migrations

from crm.search import RunSQLOnPostgreSQL

FUNCTIONS = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE OR REPLACE FUNCTION guichet_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));
CREATE OR REPLACE FUNCTION guichet_digits(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN regexp_replace($1, '[^0-9]+', '', 'g');
"""

# The extensions stay: another schema object may use them.
DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS guichet_digits(text);
DROP FUNCTION IF EXISTS guichet_fold(text);
"""


class Migration(migrations.Migration):
    dependencies = [("crm", "0006_notification_retention")]

    operations = [RunSQLOnPostgreSQL(sql=FUNCTIONS, reverse_sql=DROP_FUNCTIONS)]
