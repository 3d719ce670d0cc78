from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Patient",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("first_name", models.CharField(max_length=60)),
                ("last_name", models.CharField(max_length=60)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("practice", models.CharField(max_length=40)),
                ("last_cleaning", models.DateField(blank=True, null=True)),
                ("opted_out", models.BooleanField(default=False)),
            ],
        ),
        migrations.CreateModel(
            name="Recall",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("due_date", models.DateField()),
                ("channel", models.CharField(choices=[("email", "Email"), ("post", "Post")], default="post", max_length=10)),
                ("patient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="recalls", to="recalls.patient")),
            ],
        ),
    ]
