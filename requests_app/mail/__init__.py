"""E-mail as a channel (seed 001: "communiquer avec les personnes à soutenir via le CRM"): an
agent's comment is mailed to the requester, whose reply, read from an IMAP mailbox or a mail
server's pipe, lands in the thread of the request or the incident."""
