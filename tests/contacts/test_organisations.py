"""Organisations on the portal: a manager invites by e-mail with a signed link, the invited
person accepts after logging in or signing up, the manager removes members; members do not."""

import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from contacts import organisations
from contacts.invitations import invitation_token
from contacts.models import PartnerInvitation, PartnerMembership
from crm.errors import DomainError, NotAllowed
from crm.models import Notification
from tests import factories
from tests.helpers import text

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/my/organisations/invitations/[^/\s]+/)")
CONFIRM = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _eager_and_fresh():
    from crm.celery import app

    caches["default"].clear()
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def school(db):
    return factories.PartnerFactory(name="École des Érables", kind="school")


@pytest.fixture
def head(school):
    user = factories.citizen(email="direction@erables.example")
    PartnerMembership.objects.create(partner=school, user=user, role="manager")
    return user


@pytest.fixture
def member(school):
    user = factories.citizen(email="secretariat@erables.example")
    PartnerMembership.objects.create(partner=school, user=user, role="member")
    return user


def invite(client, school, email, role="member", *, capture):
    with capture(execute=True):
        return client.post(
            reverse("portal:organisation_invite", args=[school.pk]), {"email": email, "role": role}
        )


def test_a_manager_invites_by_email_and_the_invited_citizen_accepts(
    login, school, head, mailoutbox, django_capture_on_commit_callbacks
):
    # given
    invited = factories.citizen(email="prof@erables.example")

    # when: the head invites, the teacher opens the link and accepts
    response = invite(
        login(head), school, "Prof@Erables.example", capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert mailoutbox[-1].to == ["prof@erables.example"]
    assert "École des Érables" in mailoutbox[-1].subject
    path = LINK.search(mailoutbox[-1].body).group(1)
    client = login(invited)
    assert "École des Érables" in text(client.get(path))
    response = client.post(path)

    # then
    assert response.status_code == 302
    membership = PartnerMembership.objects.get(user=invited)
    assert (membership.partner, membership.role) == (school, "member")
    assert PartnerInvitation.objects.get().accepted_at is not None
    assert Notification.objects.filter(recipient=head, title__contains="École des Érables").exists()
    # the link is spent
    assert client.post(path).status_code == 404


def test_the_managers_page_lists_members_and_pending_invitations(login, school, head, member):
    PartnerInvitation.objects.create(partner=school, email="attente@example.org", invited_by=head)
    page = text(login(head).get(reverse("portal:organisation_detail", args=[school.pk])))
    assert member.email in page and "attente@example.org" in page


def test_an_invitation_for_another_address_is_refused(login, school, head):
    invitation = PartnerInvitation.objects.create(
        partner=school, email="quelquun@example.org", invited_by=head
    )
    intruder = factories.citizen(email="intrus@example.org")
    response = login(intruder).post(
        reverse("portal:invitation", args=[invitation_token(invitation)])
    )
    assert response.status_code == 400
    assert not PartnerMembership.objects.filter(user=intruder).exists()


def test_an_expired_or_cancelled_invitation_no_longer_works(login, school, head, settings):
    invitation = PartnerInvitation.objects.create(
        partner=school, email="tard@example.org", invited_by=head
    )
    token = invitation_token(invitation)
    organisations.invitation_cancel(invitation=invitation, by=head)
    with pytest.raises(DomainError):
        organisations.invitation_accept(
            invitation=invitation, user=factories.citizen(email="tard@example.org")
        )
    assert login(head).get(reverse("portal:invitation", args=[token])).status_code == 404

    settings.ORGANISATION_INVITATION_DAYS = -1
    fresh = PartnerInvitation.objects.create(partner=school, email="x@example.org", invited_by=head)
    response = login(head).get(reverse("portal:invitation", args=[invitation_token(fresh)]))
    assert response.status_code == 404 and "expiré" in text(response)


def test_a_visitor_signs_up_through_the_invitation_and_joins_once_confirmed(
    client, school, head, mailoutbox
):
    # given
    invitation = PartnerInvitation.objects.create(
        partner=school, email="nouvelle@erables.example", invited_by=head
    )
    path = reverse("portal:invitation", args=[invitation_token(invitation)])
    page = text(client.get(path))
    assert "Créer un compte" in page

    # when: she signs up with the invited address and confirms it
    client.post(
        reverse("account_signup"),
        {
            "first_name": "Lea",
            "last_name": "Gagnon",
            "email": "nouvelle@erables.example",
            "password1": "une-phrase-de-passe-solide-42",
            "password2": "une-phrase-de-passe-solide-42",
        },
    )
    client.post(CONFIRM.search(mailoutbox[-1].body).group(1))

    # then
    membership = PartnerMembership.objects.get(user__email="nouvelle@erables.example")
    assert membership.partner == school


def test_a_manager_removes_a_member_who_then_sees_nothing(login, school, head, member):
    client = login(head)
    target = PartnerMembership.objects.get(user=member)
    response = client.post(
        reverse("portal:organisation_member_remove", args=[school.pk, target.pk])
    )
    assert response.status_code == 302
    assert not PartnerMembership.objects.filter(user=member).exists()
    assert (
        login(member).get(reverse("portal:organisation_detail", args=[school.pk])).status_code
        == 404
    )


def test_the_last_manager_is_not_removed(head, school):
    with pytest.raises(DomainError):
        organisations.membership_remove(
            membership=PartnerMembership.objects.get(user=head), by=head
        )
    assert PartnerMembership.objects.filter(user=head).exists()


def test_a_member_may_not_invite_or_remove_through_the_services(member, head, school):
    with pytest.raises(NotAllowed):
        organisations.invitation_send(
            partner=school, by=member, email="a@example.org", role="member", base_url="http://x/"
        )
    with pytest.raises(NotAllowed):
        organisations.membership_remove(
            membership=PartnerMembership.objects.get(user=head), by=member
        )
    assert not PartnerInvitation.objects.exists()


def test_inviting_a_member_again_is_refused_with_a_message(
    login, school, head, member, django_capture_on_commit_callbacks
):
    response = invite(login(head), school, member.email, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "déjà membre" in text(response)
    assert f'value="{member.email}"' in response.content.decode()


def test_invitations_are_limited_per_hour(
    login, school, head, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_INVITATION_LIMIT_PER_HOUR = 1
    client = login(head)
    capture = django_capture_on_commit_callbacks
    assert invite(client, school, "a@example.org", capture=capture).status_code == 302
    assert invite(client, school, "b@example.org", capture=capture).status_code == 429
    assert PartnerInvitation.objects.count() == 1


def test_the_organisations_list_shows_the_accounts_memberships_only(login, school, member):
    other = factories.PartnerFactory(name="Autre école")
    page = text(login(member).get(reverse("portal:organisations")))
    assert "École des Érables" in page and "Autre école" not in page
    assert other.pk not in [m.partner_id for m in organisations.organisations_of(member)]


def test_memberships_are_managed_in_the_admin(login, administrator, school, member):
    client = login(administrator)
    assert client.get(reverse("admin:contacts_partnermembership_changelist")).status_code == 200
    page = text(client.get(reverse("admin:contacts_partner_change", args=[school.pk])))
    assert "members-0-user" in page and str(member) in page
