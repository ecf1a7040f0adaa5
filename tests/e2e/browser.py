#!/usr/bin/env python3
"""The system browser, as the end-to-end test sees it: `xdg-open URL`.

For a sign-in page it does what a person would: opens the provider's sign-in page (the test
OAuth server on 127.0.0.1 signs in and approves at once), follows the redirects with cookies
until the provider sends it to the app's redirect address, and opens that. It never prints a
sign-in URL (the last one carries the authorization code).

Anything else (a meeting) is only noted in the log, for the test to find: a join link as it is,
a host's start link (Zoom's /s/ form) only as the fact that one was opened, since whoever holds
it runs the meeting as the doctor.
"""
import http.cookiejar
import sys
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main() -> int:
    url = sys.argv[1]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    redirect = query.get("redirect_uri")
    if not redirect or urllib.parse.urlsplit(url).hostname != "127.0.0.1":
        if urllib.parse.urlsplit(url).path.startswith("/s/"):
            print("browser: opened a host start link (not written here)", file=sys.stderr)
        else:
            print(f"browser: opened {url}", file=sys.stderr)
        return 0
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)
    for _ in range(12):
        try:
            opener.open(url, timeout=10)
            print("browser: the sign-in page did not redirect", file=sys.stderr)
            return 1
        except urllib.error.HTTPError as answer:
            if answer.code not in (301, 302, 303, 307, 308):
                print(f"browser: the sign-in page answered {answer.code}", file=sys.stderr)
                return 1
            url = urllib.parse.urljoin(url, answer.headers["Location"])
        if url.startswith(redirect):
            with urllib.request.urlopen(url, timeout=30) as page:
                print(f"browser: back at the app, which answered {page.status}", file=sys.stderr)
            return 0
    print("browser: too many redirects", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
