from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="License",
            index=Index(fields=["tenant_id", "id"]),
        ),
        ops.AddIndex(
            model_name="User",
            index=Index(fields=["tenant_id", "id"]),
        ),
    ]
