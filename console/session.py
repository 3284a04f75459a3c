"""Who is looking: the signed-in person (their token, role and district), their language, and which pages they see.

The session is a signed cookie (Starlette's ``SessionMiddleware``, itsdangerous) holding the person's bearer token,
language and a form key. The token in it is encrypted (Fernet, with a key derived from the session secret), so the
cookie is no bearer token for the services to whoever sees it (devtools, a proxy, a copied profile); the cookie is
HttpOnly, so the page's script never sees it either. The token is decrypted and verified on every request, so an
expired, forged or tampered one ends the session.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from enum import Enum
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from fastapi import Request

from console.i18n import language_of
from shared.auth import decode_token
from shared.auth.errors import AuthError
from shared.contracts.roles import Role
from shared.settings import KernelSettings


class Page(str, Enum):
    """The console's pages, each for some roles (the services still decide what each role may read)."""

    programme = "programme"
    product = "product"
    rating = "rating"
    finance = "finance"
    monitoring = "monitoring"
    operations = "operations"


_READERS = (Role.provincial_office, Role.district_officer, Role.central_office)
#: Who sees which page: a district officer their district's programme, the provincial office everything, an operator
#: the operations pages (and a product's timeline, to follow a flow).
PAGE_ROLES: dict[Page, tuple[Role, ...]] = {
    Page.programme: _READERS + (Role.finance_officer, Role.inspector),
    Page.product: _READERS + (Role.finance_officer, Role.inspector, Role.operator),
    Page.rating: _READERS + (Role.council_secretary, Role.council_member),
    Page.finance: (Role.provincial_office, Role.finance_officer, Role.district_officer),
    Page.monitoring: (Role.provincial_office, Role.inspector, Role.district_officer),
    Page.operations: (Role.operator, Role.provincial_office),
}
#: Where a person lands after signing in: their first page.
PAGE_ORDER: tuple[Page, ...] = (Page.programme, Page.rating, Page.finance, Page.monitoring, Page.operations)
PAGE_PATHS: dict[Page, str] = {Page.programme: "/", Page.product: "/products", Page.rating: "/rating",
                               Page.finance: "/finance", Page.monitoring: "/monitoring",
                               Page.operations: "/operations"}


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as the console sees them."""

    token: str
    actor_id: str
    role: Role
    district: str | None
    language: str
    form_key: str

    @property
    def scoped_district(self) -> str | None:
        """The one district whose figures this person sees, or None for the whole province."""
        return self.district if self.role.district_scoped else None

    def may_see(self, page: Page) -> bool:
        return self.role in PAGE_ROLES[page]

    @property
    def pages(self) -> tuple[Page, ...]:
        return tuple(page for page in PAGE_ORDER if self.may_see(page))


class SignInRequired(Exception):
    """No session, or its token expired or no longer verifies: to the sign-in page, then back to ``next``."""

    def __init__(self, next_path: str, reason: str | None = None):
        self.next_path = next_path
        self.reason = reason


class PageForbidden(Exception):
    """The person's role does not see this page (403)."""

    def __init__(self, viewer: Viewer, page: Page):
        self.viewer = viewer
        self.page = page


def language(request: Request) -> str:
    return language_of(request.session.get("lang"))


def form_key(request: Request) -> str:
    """The session's key for forms (a POST without it is refused): made on first use."""
    key = request.session.get("form_key")
    if not isinstance(key, str):
        key = secrets.token_urlsafe(24)
        request.session["form_key"] = key
    return key


def token_sealer(session_secret: str) -> Fernet:
    """What encrypts the token kept in the session cookie: a Fernet key derived from the session secret (replicas
    with the same secret read each other's sessions)."""
    digest = hashlib.sha256(b"ocop-console-token:" + session_secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def sign_in(request: Request, kernel: KernelSettings, token: str) -> Any:
    """Keep ``token`` (encrypted) in the session if it verifies; the actor, or raises :class:`AuthError`. A new form
    key comes with the new session, so a form rendered before signing in cannot post as the person."""
    actor = decode_token(kernel, token)
    request.session["token"] = request.app.state.token_sealer.encrypt(token.strip().encode()).decode()
    request.session.pop("form_key", None)
    form_key(request)
    return actor


def sign_out(request: Request) -> None:
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang


def current_viewer(request: Request) -> Viewer:
    """The signed-in person, or :class:`SignInRequired`."""
    sealed = request.session.get("token")
    next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not isinstance(sealed, str):
        raise SignInRequired(next_path)
    try:
        token = request.app.state.token_sealer.decrypt(sealed.encode()).decode()
        actor = decode_token(request.app.state.kernel, token)
    except (AuthError, InvalidToken):
        request.session.pop("token", None)
        raise SignInRequired(next_path, reason="signin.expired") from None
    request.state.actor = actor  # the access line names who asked
    return Viewer(token=token, actor_id=actor.id, role=Role(actor.role), district=actor.district,
                  language=language(request), form_key=form_key(request))


def viewer_for(page: Page):
    """A route dependency: the signed-in person, when their role sees ``page``."""

    def dependency(request: Request) -> Viewer:
        viewer = current_viewer(request)
        if not viewer.may_see(page):
            raise PageForbidden(viewer, page)
        return viewer

    return dependency


def check_form_key(request: Request, given: str | None) -> None:
    """A POST carries the session's form key (a page of another site cannot post as the person)."""
    expected = request.session.get("form_key")
    if not isinstance(expected, str) or not isinstance(given, str) or not secrets.compare_digest(expected, given):
        raise FormKeyMismatch()


class FormKeyMismatch(Exception):
    """A form posted without this session's key (stale page or another site): 403 with a way back."""
