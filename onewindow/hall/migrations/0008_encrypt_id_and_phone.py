
import onewindow.core.fieldcrypto
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('hall', '0007_window_month'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='id_number_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(source='id_number'),
        ),
        migrations.AddField(
            model_name='ticket',
            name='phone_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(source='phone'),
        ),
        migrations.AlterField(
            model_name='ticket',
            name='id_number',
            field=onewindow.core.fieldcrypto.EncryptedCharField(blank=True, index_field='id_number_hash', max_length=18, verbose_name='证件号码'),
        ),
        migrations.AlterField(
            model_name='ticket',
            name='phone',
            field=onewindow.core.fieldcrypto.EncryptedCharField(blank=True, index_field='phone_hash', max_length=20, verbose_name='手机号'),
        ),
        # Encrypt the rows written before this migration (and fill their lookup hashes), then
        # add the unique constraints and indexes on the hashes.
        onewindow.core.fieldcrypto.migrate_encrypt(('hall', 'ticket')),
    ]
