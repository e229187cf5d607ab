from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0003_suggestion_fit"),
    ]

    operations = [
        migrations.CreateModel(
            name="LearnedWeights",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("weights", models.JSONField(verbose_name="weights")),
                ("marks", models.PositiveIntegerField(verbose_name="marks used")),
                ("good", models.FloatField(default=0, verbose_name="good matches")),
                ("not_relevant", models.FloatField(default=0, verbose_name="not relevant")),
                ("before", models.JSONField(default=dict, verbose_name="figures with the hand-set weights")),
                ("after", models.JSONField(default=dict, verbose_name="figures with the learned weights")),
                ("fitted_at", models.DateTimeField(auto_now_add=True, verbose_name="fitted")),
            ],
            options={
                "verbose_name": "learned weights",
                "verbose_name_plural": "learned weights",
                "ordering": ["-fitted_at", "-pk"],
                "get_latest_by": ["fitted_at", "pk"],
            },
        ),
    ]
