from datetime import date

from django.test import TestCase
from django.urls import reverse

from recalls.models import Patient, Recall


class LetterPreviewTests(TestCase):
    def setUp(self):
        self.patient = Patient.objects.create(first_name="Ada", last_name="Quinn", practice="Riverside")
        self.recall = Recall.objects.create(patient=self.patient, due_date=date(2024, 5, 1))

    def test_letter_shows_first_name_and_practice(self):
        resp = self.client.get(reverse("recall-letter", args=[self.recall.pk]))
        self.assertContains(resp, "Dear Ada")
        self.assertContains(resp, "Riverside")
