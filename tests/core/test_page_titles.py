"""Page titles name no patient: they end up in browser history, tabs and bookmarks."""

import re

from tests.support.access import concrete_path, documented_pages
from tests.support.factories import verified_client

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def test_no_page_about_a_patient_puts_the_mrn_or_name_in_its_title(access_world):
    patient = access_world.patient
    secrets = (patient.mrn, patient.legal_given_name, patient.legal_family_name)
    client = verified_client(access_world.staff["clinical_director"])
    seen = 0
    for row in documented_pages():
        methods = row.fields["methods"]
        if "<int:patient_id>" not in row.path or not (methods == "any" or "GET" in methods):
            continue
        response = client.get(concrete_path(row.path, access_world.ids()))
        body = response.content.decode()
        if response.status_code != 200 or "<title>" not in body:
            continue  # a fragment (htmx partial) or a download: no title

        seen += 1
        title = TITLE.search(body).group(1)
        assert not [s for s in secrets if s in title], (row.name, title)
    assert seen >= 6  # chart, print, trends, an instrument, intake, problem list
