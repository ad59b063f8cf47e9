
import onewindow.core.fieldcrypto
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_case_version_received_idx'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='form_data',
            field=onewindow.core.fieldcrypto.EncryptedJSONField(blank=True, default=dict, verbose_name='申请表'),
        ),
        # Encrypt the forms written before this migration (reversed: decrypted back to JSON text).
        onewindow.core.fieldcrypto.migrate_encrypt(('cases', 'case')),
    ]
