"""Both import pages (registry records, the criteria's yearly facts) are one page with their own words.

The browser's tab shows the page's name alone; each kind offers its template file in every format;
the registry page also offers the exports of the user's scope (README, "Exports and imports").
"""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _page(client, user, name):
    client.force_login(user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("name", "title", "template_name"),
    [
        ("registry:import", "Nhập dữ liệu từ tệp", "registry:import_template"),
        ("criteria:facts_import", "Nhập số liệu năm từ tệp", "criteria:facts_import_template"),
    ],
)
def test_the_tab_title_is_the_page_name_and_every_kind_has_its_templates(client, users, name, title, template_name):
    html = _page(client, users.org_board, name)
    tab = TITLE.search(html).group(1)
    assert title in tab and "<" not in tab and "Xuất dữ liệu" not in tab
    assert f"<h1>{title}</h1>" in html
    kinds = re.findall(r"<li>([^<:]+): <a href", html)
    assert kinds, "every kind is listed with its template files"
    links = re.findall(r'href="([^"]+)">tệp mẫu \.(\w+)</a>', html)
    assert {fmt for _url, fmt in links} >= {"xlsx", "csv"}
    assert all(url.startswith(reverse(template_name, args=["x", "xlsx"]).split("x.xlsx")[0]) for url, _f in links)


def test_only_the_registry_page_offers_the_exports_of_the_scope(client, users):
    assert "Xuất dữ liệu trong phạm vi của bạn" in _page(client, users.org_board, "registry:import")
    assert "Xuất dữ liệu trong phạm vi của bạn" not in _page(client, users.org_board, "criteria:facts_import")
