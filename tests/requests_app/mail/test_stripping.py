"""What lands of a reply: the text above the quoted message, without the signature, whatever
the mail program (French and English), and the text of an HTML-only mail."""

from email.message import EmailMessage

import pytest

from requests_app.mail import parsing

QUOTE = "> Bonjour,\n> pouvez-vous m'envoyer le plan de cours ?\n"

CASES = {
    "thunderbird_fr": (
        "Voici le plan de cours.\n\nLe 01/12/2026 à 10:00, Guichet a écrit :\n" + QUOTE,
        "Voici le plan de cours.",
    ),
    "gmail_fr_wrapped_with_no_break_space": (
        "Voici le plan de cours.\n\n"
        "Le mar. 1 déc. 2026 à 10:00, Guichet <reponses+1-2-t3.abc@guichet.example.org>\n"
        "a écrit\u00a0:\n\n" + QUOTE,
        "Voici le plan de cours.",
    ),
    "gmail_en": (
        "Here is the syllabus.\n\n"
        "On Tue, Dec 1, 2026 at 10:00 AM Guichet <reponses@guichet.example.org> wrote:\n" + QUOTE,
        "Here is the syllabus.",
    ),
    "gmail_en_wrapped": (
        "Here is the syllabus.\n\nOn Tue, Dec 1, 2026 at 10:00 AM Guichet <\n"
        "reponses@guichet.example.org> wrote:\n" + QUOTE,
        "Here is the syllabus.",
    ),
    "outlook_fr": (
        "Voici le plan de cours.\n\n"
        "________________________________\n"
        "De : Guichet <no-reply@guichet.invalid>\n"
        "Envoyé : mardi 1 décembre 2026 10:00\n"
        "À : Marie Tremblay <marie.tremblay@umontreal.example>\n"
        "Objet : [REQ0000001] Nouveau message\n\nBonjour,\n",
        "Voici le plan de cours.",
    ),
    "outlook_en_without_separator": (
        "Here is the syllabus.\n\n"
        "From: Guichet <no-reply@guichet.invalid>\n"
        "Sent: Tuesday, December 1, 2026 10:00 AM\n"
        "To: Marie Tremblay\nSubject: [REQ0000001] New message\n\nHello,\n",
        "Here is the syllabus.",
    ),
    "dash_dash_signature": (
        "Voici le plan de cours.\n\n-- \nMarie Tremblay\nProfesseure agrégée\nPoste 1234\n",
        "Voici le plan de cours.",
    ),
    "closing_words_fr": (
        "Bonjour,\nVoici le plan de cours.\n\nCordialement,\nMarie Tremblay\nPoste 1234\n",
        "Bonjour,\nVoici le plan de cours.",
    ),
    "closing_words_en": (
        "Here is the syllabus.\n\nBest regards,\nMarie\n",
        "Here is the syllabus.",
    ),
    "sent_from_phone": (
        "Oui, mardi me convient.\n\nEnvoyé de mon iPhone\n\n"
        "Le 1 déc. 2026 à 10:00, Guichet a écrit :\n" + QUOTE,
        "Oui, mardi me convient.",
    ),
    "our_marker_without_a_header": (
        "Oui, mardi me convient.\n\n"
        "> ##- Écrivez votre réponse au-dessus de cette ligne -##\n>\n> Bonjour Marie,\n",
        "Oui, mardi me convient.",
    ),
    "only_quote_lines_at_the_end": (
        "Oui.\n\n> Bonjour,\n> venez mardi.\n",
        "Oui.",
    ),
    "inline_answers_are_kept": (
        "> Pouvez-vous venir mardi ?\nOui, à 10 h.\n\nMarie",
        "> Pouvez-vous venir mardi ?\nOui, à 10 h.\n\nMarie",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_quoted_message_and_the_signature_are_stripped(case):
    text, expected = CASES[case]
    assert parsing.reply_text(text) == expected


def test_windows_line_ends_are_read_as_lines():
    text = "Voici.\r\n\r\nLe 1 déc. 2026 à 10:00, Guichet a écrit :\r\n> Bonjour\r\n"
    assert parsing.reply_text(text) == "Voici."


def _html_mail(html: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "marie.tremblay@umontreal.example"
    message.set_content(html, subtype="html")
    return message


def test_an_html_only_mail_is_read_as_text_without_its_quote():
    message = _html_mail(
        "<html><head><style>p{color:red}</style></head><body>"
        "<div dir='ltr'>Voici le <b>plan</b> de cours.<br>Merci&nbsp;!</div>"
        "<div class='gmail_quote'><div>Le mar. 1 déc. 2026, Guichet a écrit&nbsp;:</div>"
        "<blockquote>Bonjour, pouvez-vous m'envoyer le plan de cours ?</blockquote></div>"
        "<script>alert(1)</script></body></html>"
    )
    body = parsing.body_text(message)
    assert "plan de cours ?" not in body and "alert" not in body and "color" not in body
    assert parsing.reply_text(body) == "Voici le plan de cours.\nMerci !"


def test_an_outlook_html_mail_stops_at_its_reply_header():
    message = _html_mail(
        "<html><body><p>Voici le plan.</p><div id='appendonsend'></div>"
        "<hr><div id='divRplyFwdMsg'><b>De :</b> Guichet<br><b>Envoyé :</b> mardi</div>"
        "<div>Bonjour, pouvez-vous…</div></body></html>"
    )
    assert parsing.reply_text(parsing.body_text(message)) == "Voici le plan."


def test_the_plain_text_version_is_preferred_to_the_html_one():
    message = EmailMessage()
    message.set_content("Texte brut.")
    message.add_alternative("<p>Version <b>HTML</b>.</p>", subtype="html")
    assert parsing.body_text(message).strip() == "Texte brut."
