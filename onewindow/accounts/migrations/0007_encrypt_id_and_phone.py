
import onewindow.core.fieldcrypto
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_staff_sign_in'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='user',
            name='uniq_verified_phone',
        ),
        migrations.AddField(
            model_name='user',
            name='id_number_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(null=True, source='id_number'),
        ),
        migrations.AddField(
            model_name='user',
            name='phone_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(source='phone'),
        ),
        migrations.AlterField(
            model_name='user',
            name='id_number',
            field=onewindow.core.fieldcrypto.EncryptedCharField(blank=True, index_field='id_number_hash', max_length=18, null=True, verbose_name='证件号码'),
        ),
        migrations.AlterField(
            model_name='user',
            name='phone',
            field=onewindow.core.fieldcrypto.EncryptedCharField(blank=True, index_field='phone_hash', max_length=20, verbose_name='手机号'),
        ),
        # Encrypt the rows written before this migration (and fill their lookup hashes), then
        # add the unique constraints and indexes on the hashes.
        onewindow.core.fieldcrypto.migrate_encrypt(('accounts', 'user')),
        migrations.AlterField(
            model_name='user',
            name='id_number_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(null=True, source='id_number', unique=True),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(condition=models.Q(('phone_verified_at__isnull', False)), fields=('phone_hash',), name='uniq_verified_phone'),
        ),
    ]
