#!/usr/bin/python3
"""An SMTP server for watchpost's email tests: aiosmtpd on 127.0.0.1 that requires STARTTLS
(with the given certificate) and AUTH PLAIN/LOGIN as one known user before it accepts mail,
and stores every accepted message in a Maildir.

usage: starttls_server.py PORT CERT KEY MAILDIR USER PASSWORD
Prints "ready" on stdout once it listens; runs until killed.
"""

import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult


def main():
    port, cert, key, maildir, user, password = sys.argv[1:7]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            mechanism in ("PLAIN", "LOGIN")
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        Mailbox(maildir),
        hostname="127.0.0.1",
        port=int(port),
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
