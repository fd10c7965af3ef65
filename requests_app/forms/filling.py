"""Where a filling in progress is kept between its steps, for the three ways of filling a form:

- a citizen with an account: in their ``FormDraft`` (resumed from "my requests" or the start URL);
- a person without an account (types that allow it): in their session, with the e-mail address
  they will confirm;
- an agent filing for someone (assisted request): in the agent's session, with the client and
  the channel.

The steps' views (``views``) read and write a ``Filling`` and never which of the three it is,
except to say who files.
"""

import re
from dataclasses import dataclass, field

from django.urls import reverse

from contacts.models import Client
from crm.models import User

from ..catalogue.models import RequestType
from ..requests.models import ServiceRequest
from . import engine, selectors, services
from .models import FormDraft, FormVersion, new_token

SESSION_KEY = "guichet_forms"
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
# A person has a handful of fillings in progress; the oldest are dropped beyond this.
SESSION_MAX_FILLINGS = 10


def valid_token(token: str) -> bool:
    return bool(TOKEN_RE.match(token or ""))


@dataclass
class Filling:
    mode: str  # "citizen", "anonymous" or "assisted"
    request_type: RequestType
    version: FormVersion
    data: dict
    reached: int
    token: str
    client: Client | None = None
    by: User | None = None
    email: str = ""
    channel: str = ServiceRequest.Channel.PORTAL
    draft: FormDraft | None = None
    documents: list[int] = field(default_factory=list)
    session: object = None
    session_key: str = ""

    @property
    def snapshot(self) -> dict:
        return self.version.snapshot

    @property
    def steps(self) -> list[dict]:
        return self.snapshot["steps"]

    @property
    def can_save_draft(self) -> bool:
        return self.mode == "citizen"

    # --- URLs ---

    def step_url(self, number: int) -> str:
        if self.mode == "assisted":
            return reverse(
                "requests:assisted_step", args=[self.client.pk, self.request_type.pk, number]
            )
        return reverse(
            "portal:request_step",
            kwargs={"slug": selectors.slug_of(self.request_type), "number": number},
        )

    def start_url(self) -> str:
        if self.mode == "assisted":
            return reverse("requests:assisted_start")
        return reverse(
            "portal:request_start", kwargs={"slug": selectors.slug_of(self.request_type)}
        )

    # --- navigation ---

    def visible_steps(self) -> list[int]:
        seen = engine.visibility(self.snapshot, self.data)
        return [n for n, shown in enumerate(seen.steps, start=1) if shown]

    def next_step(self, number: int) -> int | None:
        return next((n for n in self.visible_steps() if n > number), None)

    def previous_step(self, number: int) -> int | None:
        return next((n for n in reversed(self.visible_steps()) if n < number), None)

    def document_answers(self) -> dict[str, dict]:
        return {
            key: value
            for key, value in self.data.items()
            if isinstance(value, dict) and isinstance(value.get("document"), int)
        }

    # --- keeping it ---

    def save(self) -> None:
        if self.mode == "citizen":
            self.draft = services.draft_save(
                client=self.client,
                request_type=self.request_type,
                version=self.version,
                data=self.data,
                reached=self.reached,
            )
            if self.draft.token != self.token:
                FormDraft.objects.filter(pk=self.draft.pk).update(token=self.token)
            return
        fillings = self.session.get(SESSION_KEY, {})
        fillings.pop(self.session_key, None)
        while len(fillings) >= SESSION_MAX_FILLINGS:
            fillings.pop(next(iter(fillings)))
        fillings[self.session_key] = {
            "version": self.version.pk,
            "data": self.data,
            "reached": self.reached,
            "token": self.token,
            "email": self.email,
            "channel": self.channel,
            "documents": self.documents,
        }
        self.session[SESSION_KEY] = fillings

    def forget(self) -> None:
        if self.mode == "citizen":
            FormDraft.objects.filter(client=self.client, request_type=self.request_type).delete()
            return
        fillings = self.session.get(SESSION_KEY, {})
        if fillings.pop(self.session_key, None) is not None:
            self.session[SESSION_KEY] = fillings


def session_documents(session) -> frozenset[int]:
    """The files given without an account in this session (their giver may download them)."""
    ids = set()
    for state in (session.get(SESSION_KEY) or {}).values():
        ids.update(i for i in state.get("documents", []) if isinstance(i, int))
    return frozenset(ids)


def _from_session(session, key: str, request_type: RequestType) -> dict | None:
    state = (session.get(SESSION_KEY) or {}).get(key)
    if not isinstance(state, dict):
        return None
    return state


def citizen_filling(*, user: User, client: Client, request_type: RequestType) -> Filling | None:
    """The citizen's filling of ``request_type``: their draft, else a new one on the published
    version, pre-filled ("tell us once"). None when the type has no published form."""
    draft = selectors.draft_for(client=client, request_type=request_type)
    if draft is not None:
        return Filling(
            mode="citizen",
            request_type=request_type,
            version=draft.version,
            data=dict(draft.data),
            reached=draft.reached,
            token=draft.token,
            client=client,
            by=user,
            draft=draft,
        )
    version = selectors.published_version(request_type)
    if version is None:
        return None
    return Filling(
        mode="citizen",
        request_type=request_type,
        version=version,
        data=selectors.prefill(snapshot=version.snapshot, client=client, request_type=request_type),
        reached=1,
        token=new_token(),
        client=client,
        by=user,
    )


def anonymous_filling(*, session, request_type: RequestType, create: bool) -> Filling | None:
    """The session's filling without an account, or a new one when ``create``."""
    key = f"anonymous:{request_type.pk}"
    state = _from_session(session, key, request_type)
    version = None
    if state is not None:
        version = selectors.form_version(state["version"])
    if version is None:
        if not create:
            return None
        version = selectors.published_version(request_type)
        if version is None:
            return None
        state = {"data": {}, "reached": 1, "token": new_token(), "email": "", "documents": []}
    return Filling(
        mode="anonymous",
        request_type=request_type,
        version=version,
        data=dict(state.get("data") or {}),
        reached=int(state.get("reached") or 1),
        token=state.get("token") or new_token(),
        email=state.get("email") or "",
        documents=list(state.get("documents") or []),
        session=session,
        session_key=key,
    )


def assisted_filling(
    *, session, agent: User, client: Client, request_type: RequestType, channel: str | None = None
) -> Filling | None:
    """The agent's filling for ``client``: kept in the agent's session, pre-filled from the
    client's profile and last request. ``channel`` starts a new one."""
    key = f"assisted:{client.pk}:{request_type.pk}"
    state = _from_session(session, key, request_type)
    version = None
    if state is not None and channel is None:
        version = selectors.form_version(state["version"])
    if version is None:
        if channel is None:
            return None
        version = selectors.published_version(request_type)
        if version is None:
            return None
        state = {
            "data": selectors.prefill(
                snapshot=version.snapshot, client=client, request_type=request_type
            ),
            "reached": 1,
            "token": new_token(),
            "channel": channel,
            "documents": [],
        }
    return Filling(
        mode="assisted",
        request_type=request_type,
        version=version,
        data=dict(state.get("data") or {}),
        reached=int(state.get("reached") or 1),
        token=state.get("token") or new_token(),
        client=client,
        by=agent,
        channel=state.get("channel") or ServiceRequest.Channel.PHONE,
        documents=list(state.get("documents") or []),
        session=session,
        session_key=key,
    )
