import re
import pytest
from django.core import mail
from tests.factories import UserFactory

@pytest.mark.django_db
def test_explore(client):
    u = UserFactory(email="known@example.org")
    r1 = client.post("/accounts/password/reset/", {"email": "known@example.org"})
    r2 = client.post("/accounts/password/reset/", {"email": "unknown@example.org"})
    print(r1.status_code, r1.headers.get("Location"), r2.status_code, r2.headers.get("Location"))
    for m in mail.outbox: print(m.to, m.subject, m.body)
    r = client.get(r1.headers["Location"])
    open("/tmp/explore/done.html","w").write(r.content.decode())
    for i in range(7):
        r = client.post("/accounts/login/", {"login": "known@example.org", "password": "wrong password %d" % i})
        msgs = re.findall(r"(?:not correct|Too many[^<]*)", r.content.decode())
        print(i, r.status_code, msgs)
    r = client.post("/accounts/login/", {"login": "known@example.org", "password": "a calm test passphrase"})
    print("right", r.status_code, re.findall(r"(?:not correct|Too many[^<]*)", r.content.decode()), client.session.get("_auth_user_id"))
    r = client.get("/admin/login/")
    print(r.status_code, r.headers.get("Location"))
    r = client.get("/admin/")
    print(r.status_code, r.headers.get("Location"))
