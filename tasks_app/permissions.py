"""Who may work on a task. The only place that decides it: services, views, templates and the
API ask here.

Rules:

- A task is worked (taken, assigned, started, put on hold, resumed, closed, cancelled, given
  support tasks, written in its journal, moved on the Kanban) by an agent (a user who may act
  in the back office, see crm/permissions.py) who is a member of its assignment group, or who
  holds ``tasks_app.work_any_task``. A task with no group is worked by its assignee only.
- Managers read every task page and list but never act on a task; citizens see no task.
- A task may be assigned only to someone who may work on it.

Named rule (rules' ``add_perm``; ``user.has_perm(WORK, task)`` answers the same):
``tasks_app.work_on_task``.
"""

import rules
from django.utils.translation import gettext_lazy

from crm.models import User
from crm.permissions import group_work_rule, has_global_perm, is_agent

from .models import Task

WORK = "tasks_app.work_on_task"


@rules.predicate
def is_member_of_task_group(user: User, task: Task) -> bool:
    if task.assignment_group_id is None:
        return task.assignee_id is not None and task.assignee_id == user.pk
    return user.assignment_groups.filter(pk=task.assignment_group_id).exists()


works_any_task = has_global_perm("tasks_app.work_any_task")
may_work_on_task = is_agent & (works_any_task | is_member_of_task_group)

rules.add_perm(WORK, may_work_on_task)


# Take, assign, start, hold, resume, close, cancel, support tasks, journal, Kanban.
can_work_on_task, require_work_on_task = group_work_rule(
    WORK, gettext_lazy("Only members of the group %(group)s may work on this task.")
)


# To-dos (seed 002) are CRM activities: any agent plans one for anyone and changes any to-do
# that has no group; a to-do given to a group is changed by that group's members, like any task.
def can_plan_todo(user: User) -> bool:
    return is_agent.test(user)


def can_change_todo(user: User, todo: Task) -> bool:
    if not is_agent.test(user):
        return False
    if todo.assignment_group_id is None:
        return True
    return may_work_on_task.test(user, todo)


def todo_change_checker(user: User):
    """``can_change_todo`` for many to-dos at once (a calendar, a board): the user's groups are
    read once, not once per to-do."""
    if not is_agent.test(user):
        return lambda todo: False
    if works_any_task.test(user):
        return lambda todo: True
    groups = set(user.assignment_groups.values_list("pk", flat=True))
    return lambda todo: todo.assignment_group_id is None or todo.assignment_group_id in groups
