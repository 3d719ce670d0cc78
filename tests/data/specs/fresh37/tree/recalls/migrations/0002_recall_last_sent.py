from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("recalls", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="recall",
            name="last_sent",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
