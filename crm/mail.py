"""Mails that Guichet builds in the worker, from ids: no secret travels through the broker."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User


def password_reset_message(
    *,
    user: User,
    domain: str,
    site_name: str,
    protocol: str,
    subject_template_name: str = "registration/password_reset_subject.txt",
    email_template_name: str = "registration/password_reset_email.html",
    html_email_template_name: str | None = None,
    from_email: str | None = None,
) -> EmailMultiAlternatives:
    """The reset mail Django's PasswordResetForm would send, with a link made now.

    The token is made here rather than in the request, so the broker never holds a live link;
    it is as valid as one made in the request (it depends on the account, not on the moment
    beyond PASSWORD_RESET_TIMEOUT). The mail is in the account's language.
    """
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": site_name,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [user.email])
        if html_email_template_name is not None:
            message.attach_alternative(
                loader.render_to_string(html_email_template_name, context), "text/html"
            )
    return message
