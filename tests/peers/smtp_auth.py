#!/usr/bin/env python3
"""An SMTP server for the mail tests that requires STARTTLS and then a user name and password
(aiosmtpd's command line offers neither), writing each message it accepts to a Maildir.

    tests/peers/smtp_auth.py PORT MAILDIR CERT KEY USER PASSWORD
"""
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def main() -> int:
    port, maildir, cert, key, user, password = sys.argv[1:7]
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == user and auth_data.password.decode() == password)
        return AuthResult(success=ok, handled=False)

    controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port), tls_context=tls,
                            require_starttls=True, authenticator=authenticator, auth_required=True,
                            auth_require_tls=True)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
