"""Trigram index of the task search (PostgreSQL only; see ``crm/search.py``). A task's request
and requester are searched through their own indexes."""

from django.db import migrations

from crm.search import trigram_index


class Migration(migrations.Migration):
    dependencies = [
        ("tasks_app", "0005_modeltranslation"),
        ("crm", "0007_search_extensions"),
    ]

    operations = [trigram_index("tasks_app_task", "task_title_trgm", "guichet_fold(title)")]
