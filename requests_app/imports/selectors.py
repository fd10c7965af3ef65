"""Reads of course-grid upload jobs: an agent sees only their own."""

from crm.models import User

from .models import CourseGridImport


def course_grid_imports_of(*, user: User, limit: int = 20) -> list[CourseGridImport]:
    return list(CourseGridImport.objects.filter(uploaded_by=user).order_by("-created_at")[:limit])


def course_grid_import_get(*, user: User, pk: int) -> CourseGridImport:
    """The user's own upload; anyone else's is ``DoesNotExist``, as if it did not exist."""
    return CourseGridImport.objects.get(pk=pk, uploaded_by=user)
