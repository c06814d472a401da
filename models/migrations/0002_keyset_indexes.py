from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='License',
            index=Index(fields=['tenant_id', 'id']),
        ),
        # Partial: most licences have no end date; a full index on it looks useless to
        # SQLite's planner after ANALYZE (every key NULL) and the scan reads every row.
        ops.RunSQL(
            'CREATE INDEX "license_due" ON "license" ("expires_at") WHERE "expires_at" IS NOT NULL',
            reverse_sql='DROP INDEX "license_due"',
        ),
        ops.AddIndex(
            model_name='User',
            index=Index(fields=['tenant_id', 'id']),
        ),
    ]
