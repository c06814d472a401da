from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.enums import AssignmentMode, BookingPageDisabledReason, ChangeSource, LicenseState, PlanMode, ProductKind, Role, SeatEventKind, TenantStatus, UserStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='CatalogVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.IntField()),
                ('source', fields.CharField(max_length=500)),
                ('loaded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'catalog_version', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One row per catalog load: which file, which version, when.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdempotencyRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scope', fields.CharField(max_length=64)),
                ('key', fields.CharField(max_length=200)),
                ('operation', fields.CharField(max_length=64)),
                ('request_hash', fields.CharField(max_length=64)),
                ('result', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'idempotency_record', 'app': 'models', 'unique_together': (('scope', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Plan',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('mode', fields.CharEnumField(description='BUNDLE: BUNDLE\nA_LA_CARTE: A_LA_CARTE', enum_type=PlanMode, max_length=16)),
                ('products', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('price_per_seat', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('currency', fields.CharField(default='USD', max_length=3)),
                ('changeable_to', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'plan', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Product',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(description='BASE: BASE\nADDON: ADDON', enum_type=ProductKind, max_length=8)),
                ('assignment', fields.CharEnumField(description='EXPLICIT: EXPLICIT\nBY_STATUS: BY_STATUS', enum_type=AssignmentMode, max_length=16)),
                ('base_products', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'product', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tenant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('status', fields.CharEnumField(default=TenantStatus.ACTIVE, description='ACTIVE: ACTIVE\nCANCELLED: CANCELLED', enum_type=TenantStatus, max_length=16)),
                ('event_seq', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tenant', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SeatPool',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='seat_pools', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='pools', on_delete=OnDelete.RESTRICT)),
                ('capacity', fields.IntField(null=True)),
                ('assigned', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'seat_pool', 'app': 'models', 'unique_together': (('tenant', 'product'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('name', fields.CharField(max_length=200)),
                ('role', fields.CharEnumField(default=Role.MEMBER, description='ADMINISTRATOR: ADMINISTRATOR\nMEMBER: MEMBER', enum_type=Role, max_length=16)),
                ('status', fields.CharEnumField(default=UserStatus.ACTIVE, description='ACTIVE: ACTIVE\nLOCKED: LOCKED\nINACTIVE: INACTIVE\nROOM: ROOM\nRESOURCE: RESOURCE\nASSET: ASSET\nQUEUE: QUEUE', enum_type=UserStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'user', 'app': 'models', 'unique_together': (('tenant', 'email'),), 'indexes': [Index(fields=['tenant_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(default='', max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'api_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A bearer token. Only its SHA-256 is stored: the token itself is shown once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BookingPage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='booking_pages', on_delete=OnDelete.CASCADE)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='booking_pages', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('slug', fields.CharField(max_length=100)),
                ('enabled', fields.BooleanField(default=False)),
                ('disabled_reason', fields.CharEnumField(null=True, description='OWNER_UNLICENSED: OWNER_UNLICENSED\nDISABLED_BY_ADMIN: DISABLED_BY_ADMIN', enum_type=BookingPageDisabledReason, max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'booking_page', 'app': 'models', 'unique_together': (('tenant', 'slug'),), 'indexes': [Index(fields=['owner_id', 'enabled'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='License',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('uuid', fields.UUIDField(unique=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='licenses', on_delete=OnDelete.CASCADE)),
                ('pool', fields.ForeignKeyField('models.SeatPool', source_field='pool_id', db_constraint=True, to_field='id', related_name='licenses', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='licenses', on_delete=OnDelete.RESTRICT)),
                ('state', fields.CharEnumField(default=LicenseState.AVAILABLE, description='AVAILABLE: AVAILABLE\nASSIGNED: ASSIGNED\nTERMINATED: TERMINATED', enum_type=LicenseState, max_length=16)),
                ('assignee', fields.ForeignKeyField('models.User', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='licenses', on_delete=OnDelete.SET_NULL)),
                ('assigned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('extension', fields.CharField(null=True, max_length=32)),
                ('number', fields.CharField(null=True, max_length=32)),
                ('base', fields.ForeignKeyField('models.License', source_field='base_id', null=True, db_constraint=True, to_field='id', related_name='addons', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'license', 'app': 'models', 'unique_together': (('assignee', 'product'), ('base', 'product')), 'indexes': [Index(fields=['tenant_id', 'state']), Index(fields=['pool_id', 'state']), Index(fields=['tenant_id', 'extension'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SeatEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('sequence', fields.BigIntField()),
                ('kind', fields.CharEnumField(description='SEATS_ADJUSTED: SEATS_ADJUSTED\nPOOL_OVER_ALLOCATED: POOL_OVER_ALLOCATED\nLICENSE_ASSIGNED: LICENSE_ASSIGNED\nLICENSE_UNASSIGNED: LICENSE_UNASSIGNED\nLICENSE_REASSIGNED: LICENSE_REASSIGNED\nLICENSE_TERMINATED: LICENSE_TERMINATED\nADDON_ATTACHED: ADDON_ATTACHED\nADDON_DETACHED: ADDON_DETACHED\nBOOKING_PAGES_DISABLED: BOOKING_PAGES_DISABLED\nSUBSCRIPTION_CREATED: SUBSCRIPTION_CREATED\nSUBSCRIPTION_CANCELLED: SUBSCRIPTION_CANCELLED\nPLAN_CHANGED: PLAN_CHANGED\nUSER_STATUS_CHANGED: USER_STATUS_CHANGED', enum_type=SeatEventKind, max_length=32)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('source', fields.CharEnumField(description='ADMIN: ADMIN\nOPERATOR: OPERATOR\nMARKETPLACE: MARKETPLACE\nAUTO_INCREASE: AUTO_INCREASE\nSCHEDULE: SCHEDULE\nIMPORT: IMPORT', enum_type=ChangeSource, max_length=16)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='acted_events', on_delete=OnDelete.SET_NULL)),
                ('product', fields.CharField(null=True, max_length=64)),
                ('delta', fields.IntField(null=True)),
                ('pool', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('license_id', fields.IntField(null=True)),
                ('user_id', fields.IntField(null=True)),
                ('booking_page_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('message', fields.TextField(unique=False)),
            ],
            options={'table': 'seat_event', 'app': 'models', 'unique_together': (('tenant', 'sequence'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
