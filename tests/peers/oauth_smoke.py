#!/usr/bin/env python3
"""Smoke test for tests/peers/oauth-server.mjs (the Zoom- and Microsoft-shaped OAuth peer).

Starts the peer, drives both servers the way Frontdesk does (authorization code + PKCE S256
through a redirect-following cookie jar, code exchange, refresh, the API identity call) and
checks the failure paths the app's tests rely on. Standard library only; talks to 127.0.0.1
only. Prints one line per check and exits non-zero if any check fails.

    cd tests/peers && npm install --no-save && python3 oauth_smoke.py
"""

import base64
import hashlib
import http.cookiejar
import json
import os
import secrets
import select
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "oauth-server.mjs")

ZOOM = {
    "name": "zoom",
    "authorize": "/oauth/authorize",
    "token": "/oauth/token",
    "revoke": "/oauth/revoke",
    "me": "/v2/users/me",
}
MICROSOFT = {
    "name": "microsoft",
    "authorize": "/organizations/oauth2/v2.0/authorize",
    "token": "/organizations/oauth2/v2.0/token",
    "me": "/v1.0/me",
}
MS_SCOPE = "offline_access User.Read OnlineMeetings.ReadWrite"
DEEP_LINK = "frontdesk://oauth/microsoft/callback"
LEE = "dr.lee@clinic.example"
OKAFOR = "dr.okafor@clinic.example"

RESULTS = {"passed": 0, "failed": 0}
SEEN_SECRETS = set()  # every token value seen, to prove the peer's log never prints one


def check(name, ok, detail=""):
    if ok:
        RESULTS["passed"] += 1
        print(f"PASS {name}", flush=True)
    else:
        RESULTS["failed"] += 1
        print(f"FAIL {name}{': ' + detail if detail else ''}", flush=True)
    return ok


# ------------------------------------------------------------------------------------------
# HTTP


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # surface every 3xx to the caller


def request(method, url, *, form=None, body=None, headers=None, opener=None):
    """Returns (status, headers, parsed JSON or raw text)."""
    headers = dict(headers or {})
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    opener = opener or urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=10) as resp:
            status, resp_headers, raw = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        status, resp_headers, raw = err.code, err.headers, err.read()
    text = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = text
    if isinstance(parsed, dict):
        for key in ("access_token", "refresh_token", "id_token"):
            if isinstance(parsed.get(key), str):
                SEEN_SECRETS.add(parsed[key])
    return status, resp_headers, parsed


def basic(client_id, secret):
    raw = f"{urllib.parse.quote(client_id)}:{urllib.parse.quote(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def loopback_redirect():
    return f"http://127.0.0.1:{secrets.randbelow(20000) + 40000}/callback"


def authorize(base, spec, client_id, redirect_uri, scope=None, jar=None, extra=None, pkce=True):
    """Follows redirects from the authorize URL with a cookie jar until the Location starts with
    redirect_uri (never fetched). Returns a dict of the callback's query parameters plus
    verifier, state and hops; or {"error_page": status} when the server stops redirecting."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": state}
    if pkce:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    if scope is not None:
        params["scope"] = scope
    params.update(extra or {})
    jar = jar if jar is not None else http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    url = f"{base}{spec['authorize']}?{urllib.parse.urlencode(params)}"
    for hop in range(1, 16):
        status, headers, _ = request("GET", url, opener=opener)
        if status not in (301, 302, 303, 307, 308):
            return {"error_page": status, "hops": hop}
        location = urllib.parse.urljoin(url, headers["Location"])
        if location == redirect_uri or location.startswith(redirect_uri + "?"):
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
            query.update(verifier=verifier, sent_state=state, hops=hop)
            return query
        url = location
    return {"error_page": "too many redirects", "hops": hop}


def token(base, spec, form, headers=None):
    return request("POST", base + spec["token"], form=form, headers=headers)


def control(base, method, path, body=None):
    status, _, parsed = request(method, base + path, body=body)
    if status != 200:
        raise RuntimeError(f"{method} {path} -> {status} {parsed}")
    return parsed


# ------------------------------------------------------------------------------------------
# Client shapes: how each client authenticates at the token endpoint


def client_zoom_basic():
    return {"id": "zoom-client", "auth": basic("zoom-client", "zoom-secret"), "form": {}}


def client_public(client_id):
    return {"id": client_id, "auth": {}, "form": {"client_id": client_id}}


def exchange(base, spec, client, auth, redirect_uri, verifier=None):
    form = {"grant_type": "authorization_code", "code": auth.get("code", ""), "redirect_uri": redirect_uri,
            "code_verifier": verifier or auth.get("verifier", ""), **client["form"]}
    return token(base, spec, form, client["auth"])


def refresh(base, spec, client, refresh_token, scope=None):
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, **client["form"]}
    if scope:
        form["scope"] = scope
    return token(base, spec, form, client["auth"])


def sign_in(base, spec, client, scope=None, redirect_uri=None, jar=None):
    """Full flow: returns (tokens dict or None, callback dict)."""
    redirect_uri = redirect_uri or loopback_redirect()
    auth = authorize(base, spec, client["id"], redirect_uri, scope=scope, jar=jar)
    if "code" not in auth:
        return None, auth
    status, _, body = exchange(base, spec, client, auth, redirect_uri)
    return (body if status == 200 else None), auth


def me_email(base, spec, access_token):
    status, _, body = request("GET", base + spec["me"], headers=bearer(access_token))
    if status != 200 or not isinstance(body, dict):
        return status, None
    return status, body.get("email") if spec is ZOOM else body.get("mail")


# ------------------------------------------------------------------------------------------
# Checks shared by both providers


def run_core(base, spec, client, scope, bad_token_body):
    n = spec["name"]
    control(base, "POST", "/test/reset")
    redirect_uri = loopback_redirect()
    auth = authorize(base, spec, client["id"], redirect_uri, scope=scope)
    check(f"{n}: authorize -> callback with code ({auth.get('hops')} hops)", "code" in auth, str(auth))
    check(f"{n}: state echoed", auth.get("state") == auth.get("sent_state"))
    check(f"{n}: callback carries iss (RFC 9207, ignore it)", auth.get("iss") == base, str(auth.get("iss")))

    status, _, tokens = exchange(base, spec, client, auth, redirect_uri)
    ok = status == 200 and isinstance(tokens, dict) and tokens.get("access_token") and tokens.get("refresh_token")
    check(f"{n}: code exchange gives access + refresh token", ok, f"{status} {tokens}")
    if not ok:
        return
    check(f"{n}: expires_in 3600", tokens.get("expires_in") == 3600, str(tokens.get("expires_in")))
    check(f"{n}: token_type bearer", str(tokens.get("token_type")).lower() == "bearer", str(tokens.get("token_type")))
    check(f"{n}: token scope {tokens.get('scope')!r}", bool(tokens.get("scope")))

    status, email = me_email(base, spec, tokens["access_token"])
    check(f"{n}: {spec['me']} -> {LEE}", status == 200 and email == LEE, f"{status} {email}")

    status, _, again = exchange(base, spec, client, auth, redirect_uri)
    check(f"{n}: code replay refused (invalid_grant)", status == 400 and again.get("error") == "invalid_grant", f"{status} {again}")
    status, _ = me_email(base, spec, tokens["access_token"])
    check(f"{n}: code replay revoked the tokens issued from that code", status == 401, str(status))

    # A fresh sign-in for the rotation checks (the replay above revoked the first grant).
    tokens, _ = sign_in(base, spec, client, scope=scope)
    rt1 = tokens["refresh_token"]
    status, _, rotated = refresh(base, spec, client, rt1, scope=scope if spec is MICROSOFT else None)
    ok = status == 200 and rotated.get("access_token") and rotated.get("refresh_token")
    check(f"{n}: refresh gives new access + refresh token", ok, f"{status} {rotated}")
    check(f"{n}: refresh token rotated", ok and rotated["refresh_token"] != rt1)
    status, email = me_email(base, spec, rotated["access_token"])
    check(f"{n}: new access token works", status == 200 and email == LEE, f"{status} {email}")
    status, _, reuse = refresh(base, spec, client, rt1)
    check(f"{n}: reusing the rotated refresh token -> invalid_grant", status == 400 and reuse.get("error") == "invalid_grant", f"{status} {reuse}")
    if spec is ZOOM:
        check("zoom: reuse error has Zoom's shape {reason, error}", reuse.get("reason") == "Invalid Token!", str(reuse))
    status, _, newest = refresh(base, spec, client, rotated["refresh_token"])
    check(f"{n}: reuse also revoked the newest refresh token (stricter than the provider)", status == 400 and newest.get("error") == "invalid_grant", f"{status} {newest}")

    stats = control(base, "GET", "/test/stats")
    want = {"authorization_code": 3, "refresh_token": 3, "account_credentials": 0}
    check(f"{n}: stats token_requests {want}", stats["token_requests"] == want, str(stats))
    check(f"{n}: stats refresh_failures 2", stats["refresh_failures"] == 2, str(stats))
    check(f"{n}: stats api_calls 3", stats["api_calls"] == 3, str(stats))

    # PKCE and redirect checks
    redirect_uri = loopback_redirect()
    auth = authorize(base, spec, client["id"], redirect_uri, scope=scope)
    status, _, body = exchange(base, spec, client, auth, redirect_uri, verifier=secrets.token_urlsafe(48))
    check(f"{n}: wrong code_verifier refused (invalid_grant)", status == 400 and body.get("error") == "invalid_grant", f"{status} {body}")
    status, _, body = exchange(base, spec, client, auth, redirect_uri)
    check(f"{n}: a wrong verifier does not burn the code (the right one then works)", status == 200, f"{status} {body}")
    auth = authorize(base, spec, client["id"], loopback_redirect(), scope=scope, pkce=False)
    check(f"{n}: authorize without PKCE refused", auth.get("error") == "invalid_request", str(auth))
    auth = authorize(base, spec, client["id"], "http://127.0.0.1:5555/other", scope=scope)
    check(f"{n}: unregistered redirect path refused (error page, no redirect)", auth.get("error_page") == 400, str(auth))
    a_uri, b_uri = loopback_redirect(), loopback_redirect()
    auth = authorize(base, spec, client["id"], a_uri, scope=scope)
    status, _, body = exchange(base, spec, client, auth, b_uri)
    check(f"{n}: token redirect_uri must equal the authorize one", status == 400 and body.get("error") == "invalid_grant", f"{status} {body}")

    # Bad bearer token on the API
    status, _, body = request("GET", base + spec["me"], headers=bearer("not-a-token"))
    check(f"{n}: bad token -> 401 {json.dumps(bad_token_body)}", status == 401 and body == bad_token_body, f"{status} {body}")


def run_failures(base, spec, client, scope):
    n = spec["name"]
    control(base, "POST", "/test/reset")
    tokens, _ = sign_in(base, spec, client, scope=scope)
    rt = tokens["refresh_token"]

    control(base, "POST", "/test/fail-token", {"status": 503, "count": 2})
    for i in (1, 2):
        status, _, body = refresh(base, spec, client, rt)
        check(f"{n}: fail-token #{i}: 503 with JSON error", status == 503 and isinstance(body, dict) and body.get("error") == "temporarily_unavailable", f"{status} {body}")
    status, _, body = refresh(base, spec, client, rt)
    check(f"{n}: after injected failures the same refresh token still works", status == 200 and body.get("refresh_token"), f"{status} {body}")
    rt = body["refresh_token"]
    stats = control(base, "GET", "/test/stats")
    check(f"{n}: stats count injected failures (refresh_token 3, refresh_failures 2)",
          stats["token_requests"]["refresh_token"] == 3 and stats["refresh_failures"] == 2, str(stats))

    control(base, "POST", "/test/expire-access-tokens")
    status, _ = me_email(base, spec, body["access_token"])
    check(f"{n}: expire-access-tokens -> API 401", status == 401, str(status))
    status, _, body = refresh(base, spec, client, rt)
    check(f"{n}: refresh still works after expire-access-tokens", status == 200, f"{status} {body}")
    rt = body["refresh_token"]
    status, email = me_email(base, spec, body["access_token"])
    check(f"{n}: new access token works", status == 200 and email == LEE, f"{status} {email}")

    # A second account, then the user removes the app at the provider.
    control(base, "POST", "/test/login", {"account": OKAFOR})
    other, _ = sign_in(base, spec, client, scope=scope)
    status, email = me_email(base, spec, other["access_token"])
    check(f"{n}: /test/login switches the account ({OKAFOR})", email == OKAFOR, f"{status} {email}")
    result = control(base, "POST", "/test/revoke-account", {"account": OKAFOR})
    check(f"{n}: revoke-account revoked {result.get('revoked_grants')} grant(s)", result.get("revoked_grants", 0) >= 1, str(result))
    status, _, body = refresh(base, spec, client, other["refresh_token"])
    check(f"{n}: after revoke-account refresh -> invalid_grant", status == 400 and body.get("error") == "invalid_grant", f"{status} {body}")
    status, _ = me_email(base, spec, other["access_token"])
    check(f"{n}: after revoke-account API -> 401", status == 401, str(status))
    status, _, body = refresh(base, spec, client, rt)
    check(f"{n}: other account's grant untouched", status == 200, f"{status} {body}")

    # Switching account with the same browser session (cookie jar) takes effect too.
    jar = http.cookiejar.CookieJar()
    control(base, "POST", "/test/login", {"account": LEE})
    first, _ = sign_in(base, spec, client, scope=scope, jar=jar)
    control(base, "POST", "/test/login", {"account": OKAFOR})
    second, _ = sign_in(base, spec, client, scope=scope, jar=jar)
    emails = (me_email(base, spec, first["access_token"])[1], me_email(base, spec, second["access_token"])[1])
    check(f"{n}: account switch applies to an existing browser session", emails == (LEE, OKAFOR), str(emails))
    control(base, "POST", "/test/login", {"account": LEE})


def run_zoom_extras(base):
    control(base, "POST", "/test/reset")
    client = client_zoom_basic()
    redirect_uri = loopback_redirect()
    auth = authorize(base, ZOOM, client["id"], redirect_uri)
    status, _, body = token(base, ZOOM, {"grant_type": "authorization_code", "code": auth["code"], "redirect_uri": redirect_uri,
                                         "code_verifier": auth["verifier"]}, basic("zoom-client", "wrong"))
    check("zoom: wrong client secret refused (invalid_client)", status == 401 and body.get("error") == "invalid_client", f"{status} {body}")
    status, _, body = token(base, ZOOM, {"grant_type": "authorization_code", "code": auth["code"], "redirect_uri": redirect_uri,
                                         "code_verifier": auth["verifier"]})
    check("zoom: missing client authentication refused", status in (400, 401) and body.get("error") in ("invalid_client", "invalid_request"), f"{status} {body}")

    # Public PKCE client
    pub = client_public("zoom-public")
    tokens, auth = sign_in(base, ZOOM, pub)
    check("zoom-public: code exchange with client_id in body", bool(tokens and tokens.get("refresh_token")), str(tokens or auth))
    status, _, body = refresh(base, ZOOM, pub, tokens["refresh_token"])
    check("zoom-public: refresh with client_id in body", status == 200 and body.get("refresh_token"), f"{status} {body}")

    # Revocation (Zoom: POST /oauth/revoke token=<access token>, Basic auth)
    tokens, _ = sign_in(base, ZOOM, client)
    status, _, body = request("POST", base + ZOOM["revoke"], form={"token": tokens["access_token"]}, headers=client["auth"])
    check('zoom: revoke -> 200 {"status":"success"}', status == 200 and body == {"status": "success"}, f"{status} {body}")
    check("zoom: revoked access token -> API 401", me_email(base, ZOOM, tokens["access_token"])[0] == 401)
    status, _, body = refresh(base, ZOOM, client, tokens["refresh_token"])
    check("zoom: revoke ended the authorization (refresh -> invalid_grant)", status == 400 and body.get("error") == "invalid_grant", f"{status} {body}")

    # Server-to-Server OAuth
    s2s_auth = basic("s2s-client", "s2s-secret")
    status, _, body = token(base, ZOOM, {"grant_type": "account_credentials", "account_id": "acct-1"}, s2s_auth)
    ok = status == 200 and body.get("access_token") and body.get("token_type") == "bearer" and body.get("expires_in") == 3600 \
        and body.get("scope") == "meeting:write:meeting:admin" and "refresh_token" not in body
    check("zoom S2S: account_credentials -> bearer token, 3600 s, meeting:write:meeting:admin", ok, f"{status} {body}")
    s2s = body.get("access_token", "")
    status, _, user = request("GET", f"{base}/v2/users/{OKAFOR}", headers=bearer(s2s))
    check(f"zoom S2S: /v2/users/{OKAFOR} -> 200", status == 200 and user.get("email") == OKAFOR and user.get("account_id") == "acct-1", f"{status} {user}")
    status, _, user = request("GET", f"{base}/v2/users/nobody@clinic.example", headers=bearer(s2s))
    check("zoom S2S: unknown user -> 404 code 1001", status == 404 and user.get("code") == 1001, f"{status} {user}")
    status, _, user = request("GET", f"{base}/v2/users/me", headers=bearer(s2s))
    check("zoom S2S: /v2/users/me -> the app owner", status == 200 and user.get("email"), f"{status} {user}")
    invalid = {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
    status, _, body = token(base, ZOOM, {"grant_type": "account_credentials", "account_id": "acct-1"}, basic("s2s-client", "nope"))
    check("zoom S2S: wrong secret -> 400 invalid_client (Zoom body)", status == 400 and body == invalid, f"{status} {body}")
    status, _, body = token(base, ZOOM, {"grant_type": "account_credentials", "account_id": "acct-2"}, s2s_auth)
    check("zoom S2S: wrong account -> 400 invalid_client (Zoom body)", status == 400 and body == invalid, f"{status} {body}")
    control(base, "POST", "/test/expire-access-tokens")
    status, _, body = request("GET", f"{base}/v2/users/me", headers=bearer(s2s))
    check("zoom S2S: expire-access-tokens also ends S2S tokens", status == 401 and body.get("code") == 124, f"{status} {body}")

    stats = control(base, "GET", "/test/stats")
    check("zoom: stats account_credentials 3, revocations 1", stats["token_requests"]["account_credentials"] == 3 and stats["revocations"] == 1, str(stats))


def run_microsoft_extras(base):
    control(base, "POST", "/test/reset")
    client = client_public("ms-client")
    tokens, auth = sign_in(base, MICROSOFT, client, scope=MS_SCOPE, redirect_uri=DEEP_LINK)
    check(f"microsoft: deep-link redirect {DEEP_LINK} -> code -> tokens", bool(tokens and tokens.get("refresh_token")), str(tokens or auth))
    check("microsoft: token scope lists the Graph scopes",
          bool(tokens) and {"User.Read", "OnlineMeetings.ReadWrite"} <= set(tokens.get("scope", "").split()), str(tokens and tokens.get("scope")))
    redirect_uri = loopback_redirect()
    auth = authorize(base, MICROSOFT, "ms-client", redirect_uri, scope=MS_SCOPE, extra={"response_mode": "query"})
    status, _, body = token(base, MICROSOFT, {"grant_type": "authorization_code", "code": auth.get("code", ""), "redirect_uri": redirect_uri,
                                              "code_verifier": auth.get("verifier", ""), "client_id": "ms-client", "scope": MS_SCOPE})
    check("microsoft: response_mode=query, and scope sent on code redemption (as MSAL does)", status == 200 and body.get("refresh_token"), f"{status} {body}")
    auth = authorize(base, MICROSOFT, "ms-client", "otherapp://oauth/microsoft/callback", scope=MS_SCOPE)
    check("microsoft: another custom scheme refused", auth.get("error_page") == 400, str(auth))
    tokens, auth = sign_in(base, MICROSOFT, client, scope="User.Read OnlineMeetings.ReadWrite")
    check("microsoft: without offline_access no refresh token (as Microsoft)", bool(tokens) and "refresh_token" not in tokens, str(tokens or auth))
    tokens, auth = sign_in(base, MICROSOFT, client, scope="openid profile email " + MS_SCOPE)
    check("microsoft: openid profile email also accepted (id_token issued)", bool(tokens and tokens.get("id_token")), str(tokens or auth))
    tokens, auth = sign_in(base, MICROSOFT, client, scope="offline_access OnlineMeetings.ReadWrite")
    status, _, body = request("GET", base + MICROSOFT["me"], headers=bearer(tokens["access_token"]))
    check("microsoft: /v1.0/me without User.Read -> 403", status == 403 and body["error"]["code"] == "Authorization_RequestDenied", f"{status} {body}")
    auth = authorize(base, MICROSOFT, "ms-client", loopback_redirect(), scope=MS_SCOPE, extra={"prompt": "select_account"})
    check("microsoft: prompt=select_account accepted", "code" in auth, str(auth))
    status, _, body = request("GET", base + MICROSOFT["me"])
    check("microsoft: no token -> 401 InvalidAuthenticationToken", status == 401 and body["error"]["code"] == "InvalidAuthenticationToken", f"{status} {body}")


# ------------------------------------------------------------------------------------------


def start_server(log_file):
    proc = subprocess.Popen(["node", SERVER, "--zoom-port", "0", "--microsoft-port", "0"],
                            stdout=subprocess.PIPE, stderr=log_file, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 15)
    line = proc.stdout.readline() if ready else ""
    if not line:
        proc.kill()
        raise RuntimeError("the peer printed no ready line")
    return proc, json.loads(line)


def main():
    started = time.monotonic()
    log_file = tempfile.TemporaryFile(mode="w+")
    proc, urls = start_server(log_file)
    print(f"peer ready in {time.monotonic() - started:.2f} s: {json.dumps(urls)}", flush=True)
    zoom, ms = urls["zoom"], urls["microsoft"]
    try:
        run_core(zoom, ZOOM, client_zoom_basic(), None, {"code": 124, "message": "Invalid access token."})
        run_core(ms, MICROSOFT, client_public("ms-client"), MS_SCOPE,
                 {"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired or is not yet valid."}})
        run_failures(zoom, ZOOM, client_zoom_basic(), None)
        run_failures(ms, MICROSOFT, client_public("ms-client"), MS_SCOPE)
        run_zoom_extras(zoom)
        run_microsoft_extras(ms)
    except Exception as err:  # a crash in a step is a failure, not a traceback-only exit
        check("smoke run completed", False, f"{type(err).__name__}: {err}")
    finally:
        proc.terminate()
        try:
            code = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
        check("peer exits cleanly on SIGTERM", code == 0, f"exit code {code}")
        rest = proc.stdout.read()
        check("peer stdout holds only the ready line", rest == "", repr(rest[:200]))

    log_file.seek(0)
    log = log_file.read()
    leaked = [t for t in SEEN_SECRETS if t in log]
    check(f"peer log ({len(log.splitlines())} lines) contains none of the {len(SEEN_SECRETS)} token values", not leaked)
    if RESULTS["failed"]:
        print("---- peer log (last 40 lines) ----")
        print("\n".join(log.splitlines()[-40:]))
    print(f"wall time {time.monotonic() - started:.2f} s")
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
