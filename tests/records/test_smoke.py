from django.urls import reverse

from openrecovery.audit.models import AuditEvent
from openrecovery.audit.verification import audit_verify
from openrecovery.records.choices import Stage
from tests.support.factories import make_patient, verified_client


def test_counselor_sees_own_patient_chart(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    client = verified_client(counselor)
    response = client.get(reverse("chart:chart", args=[patient.pk]))
    assert response.status_code == 200
    assert patient.legal_family_name in response.content.decode()
    dash = client.get(reverse("chart:dashboard"))
    assert patient.legal_family_name in dash.content.decode()
    assert AuditEvent.objects.filter(action="view", patient_id=patient.pk).exists()
    assert audit_verify().ok
