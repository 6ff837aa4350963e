"""The phone sign-in page keeps a way to password sign-in, worded for staff, without pushing owners
who only have a code to it."""

from django.urls import reverse


def test_the_password_link_is_for_staff_and_owners_are_told_the_code_is_enough(client, medan):
    page = client.get(reverse("accounts:login_phone")).content.decode()
    assert "Masuk dengan kata sandi<" not in page  # the old wording, an invitation to every owner
    staff = page.partition('data-testid="staff-sign-in"')[2].partition("</p>")[0]
    assert 'href="/akun/masuk/"' in staff and "Masuk dengan nama pengguna dan kata sandi (pegawai)" in staff
    form = page.partition("<main")[2].partition('<form method="post" class="stack"')[2].partition("</form>")[0]
    assert "/akun/masuk/" not in form.replace("/akun/masuk/hp/", "")  # not among the owner's own steps
    assert "Pemilik usaha tidak perlu kata sandi" in form
