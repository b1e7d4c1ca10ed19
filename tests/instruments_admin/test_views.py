"""Administering in the chart: the form, errors, the C-SSRS prompt, alerts, banner, trends."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action, Outcome
from openrecovery.instruments.models import Administration
from openrecovery.instruments.registry import INSTRUMENTS
from openrecovery.instruments.services import administration_record
from openrecovery.records.alerts import ERROR_ALREADY_ACKNOWLEDGED
from openrecovery.records.models import ClinicalAlert
from tests.support.audit import audit_mark, events_since
from tests.support.factories import make_patient, make_staff, verified_client
from tests.support.instruments import (
    CSSRS_HIGH,
    PHQ9_ITEM9,
    PHQ9_MODERATE,
    complete,
    form_data,
)


def administer_url(patient, code="phq9"):
    return reverse("instruments:administer", args=[patient.pk, code])


def test_form_is_built_from_the_definition(counselor, patient):
    client = verified_client(counselor)
    mark = audit_mark()
    page = client.get(administer_url(patient))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("<fieldset") == 10
    assert body.count("<legend") == 10
    assert body.count('type="radio"') == 40
    assert '<label class="form-check-label" for="item_9_1">Several days' in body
    # Items 1-9 must be answered, item 10 may be left out: only the nine carry the mark.
    assert body.count('<span class="text-danger" aria-hidden="true">*</span></legend>') == 9
    assert body.count('name="item_9" value="0" required') == 1
    assert 'name="item_10" value="0" id=' in body
    assert "Items marked" in body
    assert "Kroenke K, Spitzer RL, Williams JB" in body and "Licence:" in body
    assert "<script>" not in body  # CSP: no inline script
    [view] = events_since(mark)
    assert (view.action, view.patient_id, view.actor_id) == (Action.VIEW, patient.pk, counselor.pk)


def test_conditional_items_carry_their_skip_logic(counselor, patient):
    body = verified_client(counselor).get(administer_url(patient, "cssrs")).content.decode()
    assert body.count("data-asked-if=") == 4  # items 3, 4, 5 and 6b
    assert "Asked only if the answer to 2 is Yes." in body
    assert '<div class="form-text" id="item_3_helptext">Asked only if' in body
    assert 'data-item="3" aria-describedby="item_3_helptext"' in body
    assert "Asked only if the answer to 6 is Yes." in body


def test_saving_redirects_to_the_chart(counselor, patient):
    client = verified_client(counselor)
    response = client.post(administer_url(patient), form_data("phq9", PHQ9_MODERATE))
    assert response.status_code == 302
    assert response["Location"] == reverse("chart:chart", args=[patient.pk])
    saved = Administration.objects.get()
    assert (saved.total, saved.band, saved.administered_by) == (11, "moderate", counselor)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Saved. PHQ-9: 11 (Moderate)"]


def test_item9_positive_goes_straight_to_the_cssrs(counselor, patient):
    client = verified_client(counselor)
    response = client.post(administer_url(patient), form_data("phq9", PHQ9_ITEM9), follow=True)
    assert response.redirect_chain == [(administer_url(patient, "cssrs"), 302)]
    body = response.content.decode()
    assert "PHQ-9 item 9 was answered above 0" in body
    assert "Ask the C-SSRS Screener questions now" in body
    assert "C-SSRS Screener (Columbia Suicide Severity Rating Scale)</h1>" in body


def test_missing_answers_are_each_named_and_nothing_is_saved(counselor, patient):
    client = verified_client(counselor)
    mark = audit_mark()
    answers = [0, 0, None, 0, 0, None, 0, 0, 0]
    response = client.post(administer_url(patient), form_data("phq9", answers))
    assert response.status_code == 422
    body = response.content.decode()
    assert "Nothing was saved: 2 items need attention." in body
    assert "Choose an answer to item 3." in body and "Choose an answer to item 6." in body
    assert 'href="#item_3"' in body
    group = '<fieldset id="item_6" class="instrument-item border rounded p-3 mb-3'
    assert f"{group} border-danger border-2" in body
    assert 'aria-describedby="item_6_error"' in body
    assert '<div class="invalid-feedback d-block" id="item_6_error">Choose an answer' in body
    assert re.search(r'name="item_1" value="0"[^>]* checked>', body)  # answers given are kept
    assert not Administration.objects.exists()
    assert [e.action for e in events_since(mark)] == [Action.VIEW]


def test_an_answer_outside_the_options_is_refused(counselor, patient):
    data = form_data("phq9", PHQ9_MODERATE, item_2="7")
    response = verified_client(counselor).post(administer_url(patient), data)
    assert response.status_code == 422
    assert (
        "Select a valid choice. 7 is not one of the available choices." in response.content.decode()
    )
    assert not Administration.objects.exists()


def test_answers_to_skipped_items_are_dropped_on_the_server(counselor, patient):
    # Without JavaScript a user may answer 3-5 after saying no to 2: the skip logic wins.
    data = form_data("cssrs", [1, 0, 1, 1, 1, 0, None])
    response = verified_client(counselor).post(administer_url(patient, "cssrs"), data)
    assert response.status_code == 302
    saved = Administration.objects.get()
    assert saved.answers == [1, 0, None, None, None, 0, None]
    assert saved.band == "low"


def test_cssrs_high_alerts_the_team_and_shows_the_banner(counselor, nurse, patient):
    client = verified_client(counselor)
    response = client.post(
        administer_url(patient, "cssrs"), form_data("cssrs", CSSRS_HIGH), follow=True
    )
    assert response.redirect_chain == [(reverse("chart:chart", args=[patient.pk]), 302)]
    body = response.content.decode()
    assert "High risk: an urgent alert was sent to the patient&#x27;s care team." in body
    assert "Urgent: High suicide risk" in body
    assert "Mark addressed" in body
    assert ClinicalAlert.objects.filter(recipient=nurse).count() == 1

    dashboard = verified_client(nurse).get(reverse("chart:dashboard")).content.decode()
    assert "Alerts for you to acknowledge" in dashboard
    assert "Ada Lovelace" in dashboard
    assert re.search(
        r'id="alert-count">1<span class="visually-hidden"> unacknowledged alert<', dashboard
    )


def _raise(counselor, patient):
    administration_record(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_HIGH)
    return {a.recipient_id: a for a in ClinicalAlert.objects.all()}


def test_acknowledging_from_the_dashboard(counselor, nurse, patient):
    alert = _raise(counselor, patient)[nurse.pk]
    client = verified_client(nurse)
    url = reverse("instruments:alert_acknowledge", args=[patient.pk, alert.pk])
    response = client.post(url, {"next": "dashboard"})
    assert response["Location"] == reverse("chart:dashboard")
    alert.refresh_from_db()
    assert alert.acknowledged_by == nurse
    dashboard = client.get(reverse("chart:dashboard")).content.decode()
    assert "Alerts for you to acknowledge" not in dashboard
    assert 'id="alert-count"' not in dashboard
    # The banner stays until someone marks it addressed.
    chart = client.get(reverse("chart:chart", args=[patient.pk])).content.decode()
    assert "Urgent: High suicide risk" in chart
    assert "acknowledged" in chart


def test_acknowledging_someone_elses_copy_is_refused(counselor, nurse, patient):
    alert = _raise(counselor, patient)[nurse.pk]
    url = reverse("instruments:alert_acknowledge", args=[patient.pk, alert.pk])
    response = verified_client(counselor).post(url, follow=True)
    assert "only they can acknowledge it" in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_marking_addressed_needs_a_note_then_removes_the_banner(counselor, nurse, patient):
    alert = _raise(counselor, patient)[nurse.pk]
    client = verified_client(nurse)
    url = reverse("instruments:alert_resolve", args=[patient.pk, alert.pk])
    response = client.post(url, {"note": "  "})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Say what was done" in body and 'aria-invalid="true"' in body
    assert not ClinicalAlert.objects.filter(resolved_at__isnull=False).exists()

    response = client.post(url, {"note": "Seen by Dr. Rao; safety plan made."}, follow=True)
    body = response.content.decode()
    assert "Alert marked addressed." in body
    assert "Urgent: High suicide risk" not in body
    assert "Urgent alert addressed (High suicide risk): Seen by Dr. Rao" in body
    assert ClinicalAlert.objects.filter(resolved_at__isnull=True).count() == 0


def test_someone_off_the_team_is_told_why_they_cannot_resolve(director, counselor, patient):
    alert = next(iter(_raise(counselor, patient).values()))
    outsider = make_staff(Role.CLINICAL_DIRECTOR)
    url = reverse("instruments:alert_resolve", args=[patient.pk, alert.pk])
    response = verified_client(outsider).post(url, {"note": "Seen."})
    assert response.status_code == 422
    assert "Only a clinician on the patient&#x27;s care team" in response.content.decode()


def test_trends_chart_and_table(counselor, patient):
    for answers in ([0] * 9, [1] * 9, [2] * 9):
        administration_record(actor=counselor, patient=patient, code="phq9", answers=answers)
    administration_record(actor=counselor, patient=patient, code="cssrs", answers=CSSRS_HIGH)
    page = verified_client(counselor).get(reverse("instruments:trends", args=[patient.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("<svg") == 2
    assert body.count("<rect") == 5 + 4  # PHQ-9's five bands, the C-SSRS's four levels
    assert body.count("<circle") == 4
    assert "<polyline" in body  # PHQ-9 has three points to join
    phq9 = body.split('id="trend-phq9"')[1].split("</section>")[0]
    cells = re.findall(r"<td>(\d+)</td><td>([A-Za-z ]+)</td>", phq9)
    assert cells == [("18", "Moderately severe"), ("9", "Mild"), ("0", "Minimal")]
    assert "Item 9 positive" in phq9
    assert "<title" in body and "<desc" in body


def test_trends_without_results(counselor, patient):
    page = verified_client(counselor).get(reverse("instruments:trends", args=[patient.pk]))
    assert "No instruments have been given to this patient yet." in page.content.decode()


def test_chart_panel_lists_latest_results_and_links(counselor, patient):
    client = verified_client(counselor)
    body = client.get(reverse("chart:chart", args=[patient.pk])).content.decode()
    assert "No instruments given yet." in body
    administration_record(actor=counselor, patient=patient, code="phq9", answers=[0] * 9)
    administration_record(actor=counselor, patient=patient, code="phq9", answers=PHQ9_ITEM9)
    body = client.get(reverse("chart:chart", args=[patient.pk])).content.decode()
    panel = body.split('aria-labelledby="instruments-h"')[1].split("</section>")[0]
    results = panel.split("</table>")[0]
    assert "<strong>9</strong> Mild" in results  # the latest, not the first
    assert "Item 9 positive" in results
    assert ">C-SSRS Screener</abbr>" not in results  # not given yet
    assert ">PHQ-9</abbr>" in results
    for code in INSTRUMENTS:
        assert administer_url(patient, code) in panel
    assert reverse("instruments:trends", args=[patient.pk]) in panel


@pytest.mark.parametrize(
    "name", ["instruments:administer", "instruments:trends", "instruments:alert_resolve"]
)
def test_patients_outside_ones_care_are_404_and_audited(director, name):
    stranger = make_staff(Role.COUNSELOR)
    patient = make_patient(actor=director)
    args = {
        "instruments:administer": [patient.pk, "phq9"],
        "instruments:trends": [patient.pk],
        "instruments:alert_resolve": [patient.pk, 1],
    }[name]
    client = verified_client(stranger)
    mark = audit_mark()
    response = client.get(reverse(name, args=args))
    assert response.status_code == 404
    [denied] = events_since(mark)
    assert (denied.action, denied.outcome, denied.patient_id) == (
        Action.ACCESS_DENIED,
        Outcome.DENIED,
        patient.pk,
    )


def test_unknown_ids_and_codes_are_404(director, counselor, nurse, patient):
    client = verified_client(counselor)
    assert client.get(administer_url(patient, "no-such")).status_code == 404
    assert client.get(f"/patients/{2**63}/instruments/").status_code == 404
    other = make_patient(actor=director, team=[counselor])
    alert = _raise(counselor, other)[counselor.pk]
    # An alert of another patient, an unknown alert, an id too large for the database.
    for alert_id in (alert.pk, 999999, 2**63):
        url = reverse("instruments:alert_acknowledge", args=[patient.pk, alert_id])
        assert client.post(url).status_code == 404, alert_id
        url = reverse("instruments:alert_resolve", args=[patient.pk, alert_id])
        assert client.get(url).status_code == 404, alert_id
    assert not Administration.objects.filter(patient=patient).exists()


def test_roles_without_the_permission_cannot_administer(director, patient):
    editor = make_staff(Role.CONTENT_EDITOR)
    response = verified_client(editor).post(administer_url(patient), form_data("phq9", PHQ9_ITEM9))
    assert response.status_code == 403
    assert not Administration.objects.exists()


def test_acknowledging_twice_says_it_was_done(counselor, nurse, patient):
    alert = _raise(counselor, patient)[nurse.pk]
    url = reverse("instruments:alert_acknowledge", args=[patient.pk, alert.pk])
    client = verified_client(nurse)
    assert client.post(url).status_code == 302
    response = client.post(url, follow=True)
    assert ERROR_ALREADY_ACKNOWLEDGED in response.content.decode()


def _section(body: str, marker: str) -> str:
    return body.split(marker)[1].split("</section>")[0]


def test_subscales_and_band_origins_are_shown(counselor, patient):
    ciwab = [2] * 17 + [1, 3, 0]  # patient-rated 34, observer-rated 4
    administration_record(actor=counselor, patient=patient, code="ciwab", answers=ciwab)
    bam = complete(INSTRUMENTS["bam"], {})
    administration_record(actor=counselor, patient=patient, code="bam", answers=bam)
    administration_record(actor=counselor, patient=patient, code="phq9", answers=PHQ9_MODERATE)
    client = verified_client(counselor)
    trends = client.get(reverse("instruments:trends", args=[patient.pk])).content.decode()
    ciwab_trend = _section(trends, 'id="trend-ciwab"')
    assert "Patient-rated (items 1-17): 34" in ciwab_trend
    assert "Observer-rated (items 18-20): 4" in ciwab_trend
    assert "Bands from a local protocol, not from the published instrument." in ciwab_trend
    bam_trend = _section(trends, 'id="trend-bam"')
    assert "Use (items 4, 5, 6; 0-12): 0" in bam_trend
    assert "Protective factors (items 9, 10, 12, 13, 14, 16; 0-24): 0" in bam_trend
    assert "This program&#x27;s own summary, not a published score." in bam_trend
    phq9_trend = _section(trends, 'id="trend-phq9"')
    assert "Published bands." in phq9_trend and "Subscales" not in phq9_trend
    chart = client.get(reverse("chart:chart", args=[patient.pk])).content.decode()
    panel = _section(chart, 'id="instruments-h"')
    assert "Patient-rated (items 1-17): 34" in panel and "Observer-rated (items 18-20): 4" in panel
    assert "Risk factors (items 1, 2, 3, 8, 11, 15; 0-24): 0" in panel
    assert panel.count("local protocol</span>") == 1
    assert panel.count("program summary</span>") == 1
