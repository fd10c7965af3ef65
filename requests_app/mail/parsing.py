"""Reading a message received: who sent it, to which reply addresses, whether a machine wrote it
(an auto-reply, a bounce) or it is one of ours coming back (a loop), what the person wrote above
the quoted message, and its attachments. Pure functions of the message: no database here."""

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser

# The header every mail of ours carries: a message that comes back with it is a loop.
LOOP_HEADER = "X-Guichet-Loop"
# The line above which the requester is asked to write (outbound.py writes it, in their
# language); everything from it down is the quoted mail.
REPLY_ABOVE_MARKERS = ("##- ",)

# Subjects of messages written by a machine (RFC 3834 asks responders to say so in headers,
# but many only say it in the subject): out of office, absence, automatic reply, bounces.
AUTO_SUBJECTS = re.compile(
    r"^\s*(?:(?:re|tr|fw|fwd)\s*:\s*)*(?:"
    r"out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|"
    r"autoreply|auto:|absent|absence|r[ée]ponse automatique|message d'absence|"
    r"undeliver(?:able|ed)|delivery status notification|mail delivery (?:failed|failure)|"
    r"returned mail|non remis|non distribuable|échec de (?:la )?remise"
    r")",
    re.IGNORECASE,
)
MACHINE_SENDERS = re.compile(r"^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.I)
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def header(message: EmailMessage, name: str) -> str:
    """The header's value as text ("" when missing or too broken to decode)."""
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a header too broken to decode
        return ""
    return str(value or "").strip()


def message_id(message: EmailMessage, raw: bytes) -> str:
    """The Message-ID without its brackets; a message without one is named by its content's
    hash, so that the same bytes delivered twice are still recognised."""
    value = header(message, "Message-ID").strip().strip("<>").strip()
    if not value or len(value) > 200 or any(c.isspace() for c in value):
        return f"sha256:{hashlib.sha256(raw).hexdigest()}"
    return value


def sender(message: EmailMessage) -> str:
    return parseaddr(header(message, "From"))[1].strip().lower()


def subject(message: EmailMessage) -> str:
    return " ".join(header(message, "Subject").split())[:255]


# Headers that may carry the address the message was sent to (the mail server's own
# first: a Bcc or a forwarding leaves the reply address out of To).
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")


def recipients(message: EmailMessage) -> list[str]:
    values = []
    for name in RECIPIENT_HEADERS:
        try:
            values += [str(v) for v in message.get_all(name, [])]
        except (ValueError, IndexError, TypeError):
            continue
    return [address for _name, address in getaddresses(values) if address]


def referenced_ids(message: EmailMessage) -> list[str]:
    """The Message-IDs a reply answers (In-Reply-To, then References, newest first)."""
    ids = re.findall(r"<([^<>\s]+)>", header(message, "In-Reply-To"))
    ids += reversed(re.findall(r"<([^<>\s]+)>", header(message, "References")))
    return ids


def machine_reason(message: EmailMessage) -> str | None:
    """Why the message was written by a machine and must not land in a thread (an
    auto-reply, a bounce, a list), or None for a person's message."""
    auto_submitted = header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return "auto-submitted"
    # Not X-Auto-Response-Suppress: Exchange puts it on people's own mail too (it asks the
    # receiver not to auto-reply; Discourse, osTicket and Redmine stopped reading it as "a
    # machine wrote this"). Ours carry it, to keep out-of-office answers away.
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponse", "X-AutoReply-From"):
        if header(message, name).lower() not in ("", "no"):
            return name.lower()
    if header(message, "Precedence").lower() in BULK_PRECEDENCE:
        return "precedence"
    if header(message, "List-Id") or header(message, "List-Unsubscribe"):
        return "mailing list"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    if header(message, "Return-Path") == "<>":
        return "bounce"
    if MACHINE_SENDERS.match(sender(message)):
        return "machine sender"
    if AUTO_SUBJECTS.match(subject(message)):
        return "auto-reply subject"
    return None


# --- The text ---------------------------------------------------------------------------------


class _HtmlText(HTMLParser):
    """The text of an HTML mail, without what mail programs put around a quoted message
    (``blockquote``, Gmail's ``gmail_quote``, Outlook's reply header and ``appendonsend``)
    nor what is never shown (``script``, ``style``, ``head``)."""

    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr"}
    HIDDEN = {"script", "style", "head", "title", "template"}
    QUOTE_CLASSES = {"gmail_quote", "gmail_extra", "moz-cite-prefix", "yahoo_quoted"}
    QUOTE_IDS = {"appendonsend", "divrplyfwdmsg", "mail-editor-reference-message-container"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []  # the tags whose content is left out, innermost last
        self.stopped = False  # Outlook's reply header: the rest is the quoted mail

    def _skips(self, tag: str, attrs) -> bool:
        values = dict(attrs)
        classes = set((values.get("class") or "").lower().split())
        return (
            tag in self.HIDDEN
            or tag == "blockquote"
            or bool(classes & self.QUOTE_CLASSES)
            or (values.get("id") or "").lower() in self.QUOTE_IDS
        )

    def handle_starttag(self, tag, attrs):
        if self.stopped:
            return
        if (values := dict(attrs)) and (values.get("id") or "").lower() == "divrplyfwdmsg":
            self.stopped = True
            return
        if tag in ("br", "hr", "img", "meta", "link", "input"):  # void elements
            if not self.skipping and tag in self.BLOCKS:
                self.parts.append("\n")
            return
        if self.skipping or self._skips(tag, attrs):
            self.skipping.append(tag)
            return
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self.stopped:
            return
        if self.skipping:
            if self.skipping[-1] == tag:
                self.skipping.pop()
            return
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.stopped and not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.parts).splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    reader = _HtmlText()
    try:
        reader.feed(html)
        reader.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is lenient
        pass
    return reader.text()


def _part_text(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError, ValueError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def body_text(message: EmailMessage) -> str:
    """What the person wrote, quoted text included: the plain-text body, or the text of the
    HTML body when there is none."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    return text


# "Le mar. 1 déc. 2026 à 10:00, X <x@y> a écrit :" and "On Tue, … X <x@y> wrote:", which mail
# programs wrap over two or three lines: joined back into one before the reply is split off.
WROTE_WRAPPED = re.compile(
    r"^((?:Le|On) [^\n]{4,200}?)\n([^\n]{0,200}?(?:a écrit|wrote)\s*:)[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
WROTE_LINE = re.compile(
    r"^\s*(?:>\s*)*(?:Le\s.+a\s+écrit\s*:|On\s.+wrote\s*:)\s*$", re.IGNORECASE | re.MULTILINE
)
# Outlook's header of the quoted mail: "De : …" / "From: …" followed by "Envoyé :" / "Sent:".
OUTLOOK_HEADER = re.compile(
    r"^\s*\**(?:De|From)\s*:\s*\**.+\n\s*\**(?:Envoyé|Sent|Date|À|To)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
SEPARATORS = re.compile(
    r"^\s*(?:-{2,}\s*(?:Original Message|Message d'origine|Courriel original|"
    r"Forwarded message|Message transféré)\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)


def _normalised(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # French typography puts a (narrow) no-break space before ":": "a écrit :".
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u200b", "")
    for _ in range(2):  # a header wrapped over three lines takes two joins
        text = WROTE_WRAPPED.sub(r"\1 \2", text)
    return text


def _cut_quoted(text: str) -> str:
    """The text above the quoted message: cut at our marker line, a "wrote:" line, an Outlook
    header or separator, and drop a trailing block of "> " lines."""
    cuts = [len(text)]
    for marker in REPLY_ABOVE_MARKERS:
        for match in re.finditer(rf"^.*{re.escape(marker)}.*$", text, re.MULTILINE):
            cuts.append(match.start())
            break
    for pattern in (WROTE_LINE, OUTLOOK_HEADER, SEPARATORS):
        match = pattern.search(text)
        if match is not None:
            cuts.append(match.start())
    text = text[: min(cuts)]
    lines = text.rstrip().split("\n")
    while lines and (lines[-1].lstrip().startswith(">") or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines)


def _cut_signature(text: str) -> str:
    """Drop a signature after the "-- " delimiter (RFC 3676), and the "Sent from my …" line
    of phones."""
    match = re.search(r"^-- ?$", text, re.MULTILINE)
    if match is not None:
        text = text[: match.start()]
    text = re.sub(
        r"^\s*(?:Envoyé de mon|Envoyé depuis|Sent from my|Get Outlook for|Obtenir Outlook pour)"
        r"[^\n]*\s*\Z",
        "",
        text,
        flags=re.IGNORECASE | re.MULTILINE,
    )
    return text


def reply_text(text: str, *, languages=("fr", "en")) -> str:
    """What the person wrote above the quoted message, without their signature.

    The quoted message and the signature are found by ``mailparser_reply`` (headers of French
    and English mail programs, "Cordialement", "Best regards"…), after the headers that mail
    programs wrap over several lines are joined back; then, as a second pass for what it
    leaves, our own marker line, "wrote:" lines, Outlook's headers, trailing "> " lines and the
    "-- " delimiter are cut here.
    """
    text = _normalised(text or "")
    text = _cut_quoted(text)
    try:
        replies = EmailReplyParser(languages=list(languages)).read(text).replies
        parsed = replies[0].body if replies else text
    except (re.error, IndexError):  # pragma: no cover - the library's patterns are fixed
        parsed = text
    # The library drops everything when a message starts with a closing word ("Cordialement,
    # voici…"): keep the whole text then.
    text = parsed if parsed.strip() else text
    text = _cut_signature(text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# --- Attachments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    declared_type: str


# An image shown inside an HTML body (with a Content-ID) is a logo of a signature when small,
# and a screenshot pasted in the text when larger: the second is kept.
INLINE_IMAGE_MIN_BYTES = 16 * 1024


def attachments(message: EmailMessage) -> list[Attachment]:
    """The files attached, wherever they sit in the message's tree; neither the body (nor its
    other version) nor the small images embedded in an HTML body are attachments."""
    body = message.get_body(preferencelist=("plain", "html"))
    found = []
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        name = part.get_filename() or ""
        disposition = part.get_content_disposition()
        if not name and disposition != "attachment":
            continue
        try:
            content = part.get_payload(decode=True) or b""
        except (ValueError, TypeError):  # pragma: no cover - a broken encoding
            continue
        embedded = disposition != "attachment" and part.get("Content-ID")
        if embedded and len(content) < INLINE_IMAGE_MIN_BYTES:
            continue
        found.append(Attachment(name or "attachment", content, part.get_content_type()))
    return found
