from django.db import models


class Patient(models.Model):
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    email = models.EmailField(blank=True)
    practice = models.CharField(max_length=40)
    last_cleaning = models.DateField(null=True, blank=True)
    opted_out = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class Recall(models.Model):
    CHANNELS = [("email", "Email"), ("post", "Post")]
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="recalls")
    due_date = models.DateField()
    channel = models.CharField(max_length=10, choices=CHANNELS, default="post")
    last_sent = models.DateTimeField(null=True, blank=True)
