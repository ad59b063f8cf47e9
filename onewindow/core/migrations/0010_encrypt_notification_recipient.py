
import onewindow.core.fieldcrypto
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_seed_work_calendar'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='recipient_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(source='recipient'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='recipient',
            field=onewindow.core.fieldcrypto.EncryptedCharField(index_field='recipient_hash', max_length=254, verbose_name='接收方'),
        ),
        # Encrypt the recipients of the rows written before this migration and fill their hashes
        # (reversed: decrypted back).
        onewindow.core.fieldcrypto.migrate_encrypt(('core', 'notification')),
    ]
