"""The form factory's services: publishing versions, filing (through request_create, once per
token), drafts, and "tell us once"."""

import pytest
from django.utils import translation

from contacts.models import Contact, PartnerMembership
from crm.errors import DomainError, NotAllowed
from requests_app.forms import selectors, services
from requests_app.forms.models import FormDraft, FormField, FormSubmission, FormVersion
from requests_app.requests.answers import answer_changes, answer_rows
from requests_app.requests.models import ServiceRequest
from requests_app.requests.services import request_update
from tests import factories

from .conftest import permit_form

pytestmark = pytest.mark.django_db

COMPLETE = {
    "nom": "Ana Roy",
    "courriel": "ana@example.org",
    "essence": "erable",
    "diametre": 40,
    "malade": False,
    "accord": True,
}


def test_publishing_freezes_the_form_into_a_numbered_version(permit):
    version = permit.versions.get()

    assert version.number == 1
    assert [s["title"]["fr"] for s in version.snapshot["steps"]] == [
        "Vous",
        "L'arbre",
        "La maladie",
        "Confirmation",
    ]
    assert version.snapshot["steps"][2]["condition"] == {"field": "malade", "value": "yes"}
    with pytest.raises(DomainError):
        services.form_publish(form=permit, by=None)  # nothing changed


def test_only_form_administrators_publish(permit, citizen):
    agent = factories.agent()
    for user in (citizen, agent):
        with pytest.raises(NotAllowed):
            services.form_publish(form=permit, by=user)
    admin = factories.administrator()
    FormField.objects.filter(form=permit, key="nom").update(label="Votre nom")
    assert services.form_publish(form=permit, by=admin).number == 2


def test_filing_starts_the_chain_and_keeps_the_version(permit, citizen):
    version = permit.versions.get()

    request, created = services.form_submit(
        token="t" * 32,
        version=version,
        data={**COMPLETE, "autre_essence": "caché", "symptomes": ["feuilles"]},
        requester=citizen.client,
        by=citizen,
    )

    assert created
    assert request.status == ServiceRequest.Status.SUBMITTED
    assert request.tasks.count() == 2
    assert request.form_submission.version == version
    # Answers of fields hidden by their conditions are not kept.
    assert "autre_essence" not in request.form_data
    assert "symptomes" not in request.form_data
    assert selectors.expected_date(request) == max(t.due_date for t in request.tasks.all())


def test_the_same_token_files_one_request(permit, citizen):
    version = permit.versions.get()
    first, created = services.form_submit(
        token="d" * 32, version=version, data=COMPLETE, requester=citizen.client, by=citizen
    )
    again, created_again = services.form_submit(
        token="d" * 32, version=version, data=COMPLETE, requester=citizen.client, by=citizen
    )

    assert created and not created_again
    assert again == first
    assert ServiceRequest.objects.count() == 1
    assert FormSubmission.objects.count() == 1


def test_someone_elses_token_files_nothing(permit, citizen, other_citizen):
    version = permit.versions.get()
    services.form_submit(
        token="e" * 32, version=version, data=COMPLETE, requester=citizen.client, by=citizen
    )
    with pytest.raises(DomainError):
        services.form_submit(
            token="e" * 32,
            version=version,
            data=COMPLETE,
            requester=other_citizen.client,
            by=other_citizen,
        )
    assert ServiceRequest.objects.count() == 1


def test_an_incomplete_filing_is_refused(permit, citizen):
    version = permit.versions.get()
    data = {**COMPLETE, "malade": True}  # the disease step is now required
    with pytest.raises(DomainError):
        services.form_submit(
            token="f" * 32, version=version, data=data, requester=citizen.client, by=citizen
        )
    assert not ServiceRequest.objects.exists()


def test_an_old_request_keeps_the_labels_it_was_filed_under(permit, permit_type, citizen):
    # given a request filed with version 1
    old, _created = services.form_submit(
        token="1" * 32,
        version=permit.versions.get(),
        data=COMPLETE,
        requester=citizen.client,
        by=citizen,
    )
    # when the form changes: a label and a choice renamed, a version 2 published
    changed = permit_form()
    changed["steps"][1]["fields"][0]["label"] = "Espèce d'arbre"
    changed["steps"][1]["fields"][0]["choices"] = "erable|Érable à sucre\nfrene|Frêne"
    services.form_load(data=changed)
    new, _created = services.form_submit(
        token="2" * 32,
        version=selectors.published_version(permit_type),
        data=COMPLETE,
        requester=citizen.client,
        by=citizen,
    )

    # then each request reads under its own version's words
    with translation.override("fr"):
        old_rows = {r.key: (r.label, r.value) for r in answer_rows(old)}
        new_rows = {r.key: (r.label, r.value) for r in answer_rows(new)}
    assert FormVersion.objects.filter(form=permit).count() == 2
    assert old_rows["essence"] == ("Essence", "Érable")
    assert new_rows["essence"] == ("Espèce d'arbre", "Érable à sucre")
    assert old_rows["malade"] == ("L'arbre est malade", "non")
    with translation.override("en"):
        assert {r.key: r.label for r in answer_rows(old)}["essence"] == "Species"


def test_the_history_of_an_edited_answer_uses_the_forms_labels(permit, citizen, group):
    request, _created = services.form_submit(
        token="3" * 32,
        version=permit.versions.get(),
        data=COMPLETE,
        requester=citizen.client,
        by=citizen,
    )
    agent = factories.agent()
    group.members.add(agent)
    request_update(
        request=request,
        by=agent,
        reason="Faute de frappe",
        form_data={**request.form_data, "nom": "Ana Leroy"},
    )
    with translation.override("fr"):
        changes = answer_changes(request)(
            {"nom": "Ana Roy", "essence": "erable"}, {"nom": "Ana Leroy", "essence": "frene"}
        )
    assert changes == [("Nom complet", "Ana Roy", "Ana Leroy"), ("Essence", "Érable", "Frêne")]


def test_a_draft_is_one_per_person_and_type(permit, permit_type, citizen):
    version = permit.versions.get()
    for reached in (1, 2):
        services.draft_save(
            client=citizen.client,
            request_type=permit_type,
            version=version,
            data={"nom": "Ana"},
            reached=reached,
        )
    draft = FormDraft.objects.get()
    assert draft.reached == 2

    with pytest.raises(NotAllowed):
        services.draft_discard(draft=draft, by=factories.citizen())
    services.draft_discard(draft=draft, by=citizen)
    assert not FormDraft.objects.exists()


def test_tell_us_once_fills_from_the_profile_the_organisation_and_the_last_request(
    permit, permit_type, citizen
):
    # given a profile, an organisation (a contact with the person's e-mail) and a last request
    client = citizen.client
    client.first_name, client.last_name = "Ana", "Roy"
    client.street, client.postal_code, client.city = "1 rue A", "H2X 1A1", "Montréal"
    client.save()
    school = factories.PartnerFactory(name="École des Érables")
    factories.ContactFactory(partner=school, email=client.email)
    services.form_submit(
        token="4" * 32,
        version=permit.versions.get(),
        data={**COMPLETE, "nom": "Ancien nom", "diametre": 55, "essence": "frene"},
        requester=client,
        by=citizen,
    )

    # when
    data = selectors.prefill(
        snapshot=permit.versions.get().snapshot, client=client, request_type=permit_type
    )

    # then the profile wins over the last request; the rest comes from the last request
    assert data["nom"] == "Ana Roy"
    assert data["courriel"] == client.email
    assert data["adresse"] == {"street": "1 rue A", "postal_code": "H2X 1A1", "city": "Montréal"}
    assert data["diametre"] == 55 and data["essence"] == "frene"
    assert "accord" not in data  # a consent is given anew
    assert selectors.organisation_of(client) == school


def test_the_organisation_prefills_a_field_that_asks_for_it(permit_type, citizen):
    form = permit_form()
    form["steps"][0]["fields"].append(
        {"key": "ecole", "kind": "text", "label": "École", "prefill": "organisation"}
    )
    definition = services.form_load(data=form)
    school = factories.PartnerFactory(name="École des Érables")
    factories.ContactFactory(partner=school, email=citizen.client.email)

    data = selectors.prefill(
        snapshot=definition.versions.get().snapshot,
        client=citizen.client,
        request_type=permit_type,
    )

    assert data["ecole"] == "École des Érables"


def test_a_removed_choice_is_not_offered_again(permit, permit_type, citizen):
    services.form_submit(
        token="5" * 32,
        version=permit.versions.get(),
        data={**COMPLETE, "essence": "autre", "autre_essence": "Chêne"},
        requester=citizen.client,
        by=citizen,
    )
    changed = permit_form()
    changed["steps"][1]["fields"][0]["choices"] = "erable|Érable\nfrene|Frêne"
    changed["steps"][1]["fields"][1]["condition"] = {"field": "essence", "value": "frene"}
    definition = services.form_load(data=changed)

    data = selectors.prefill(
        snapshot=definition.versions.order_by("-number").first().snapshot,
        client=citizen.client,
        request_type=permit_type,
    )

    assert "essence" not in data


def test_the_demo_types_have_forms_in_french_and_english(faculty):
    for code in ("SYNC", "ASYNC"):
        version = selectors.published_version(faculty[code])
        assert version is not None
        steps = version.snapshot["steps"]
        assert len(steps) == 3
        for item in (f for s in steps for f in s["fields"]):
            assert item["label"]["fr"] and item["label"]["en"], item["key"]
    assert selectors.published_version(faculty["ASYNC"]).form.allows_anonymous


def test_the_organisation_one_is_a_member_of_prefills_it(permit_type, citizen):
    form = permit_form()
    form["steps"][0]["fields"].append(
        {"key": "ecole", "kind": "address", "label": "École", "prefill": "organisation_address"}
    )
    definition = services.form_load(data=form)
    snapshot = definition.versions.get().snapshot
    saules = factories.PartnerFactory(
        name="École des Saules", street="3 rue des Saules", postal_code="H1A 1A1", city="Laval"
    )
    erables = factories.PartnerFactory(name="Collège des Érables")
    # An old contact card with the citizen's e-mail at another school.
    factories.ContactFactory(partner=erables, email=citizen.client.email)

    # given a membership: it wins over the contact card
    PartnerMembership.objects.create(partner=saules, user=citizen, role="member")
    assert selectors.organisation_of(citizen.client) == saules
    data = selectors.prefill(snapshot=snapshot, client=citizen.client, request_type=permit_type)
    assert data["ecole"] == {
        "street": "3 rue des Saules",
        "postal_code": "H1A 1A1",
        "city": "Laval",
    }

    # given two memberships: the one with the contact card, though not the first by name
    PartnerMembership.objects.create(partner=erables, user=citizen, role="member")
    Contact.objects.filter(partner=erables).delete()
    factories.ContactFactory(partner=saules, email=citizen.client.email)
    assert selectors.organisation_of(citizen.client) == saules

    # given two memberships and no contact card: the first by name
    Contact.objects.filter(partner=saules).delete()
    assert selectors.organisation_of(citizen.client) == erables  # "Collège" before "École"


def test_without_membership_nor_contact_card_there_is_no_organisation(citizen):
    assert selectors.organisation_of(citizen.client) is None
