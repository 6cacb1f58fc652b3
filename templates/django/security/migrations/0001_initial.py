"""The users and audit log tables."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="User",
            fields=[
                (
                    "id",
                    models.AutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.CharField(max_length=320, unique=True)),
                ("hashed_password", models.CharField(max_length=255)),
                ("role", models.CharField(max_length=48)),
                ("is_active", models.BooleanField(default=True)),
                ("principal_id", models.IntegerField(null=True, blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"db_table": "users"},
        ),
        migrations.CreateModel(
            name="AuditLogEntry",
            fields=[
                (
                    "id",
                    models.AutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(auto_now_add=True)),
                ("actor", models.CharField(max_length=320)),
                ("action", models.CharField(max_length=16)),
                ("entity", models.CharField(max_length=64)),
                ("entity_id", models.IntegerField()),
            ],
            options={"db_table": "audit_log"},
        ),
    ]
