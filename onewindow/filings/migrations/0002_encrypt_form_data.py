
import onewindow.core.fieldcrypto
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('filings', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='filing',
            name='form_data',
            field=onewindow.core.fieldcrypto.EncryptedJSONField(blank=True, default=dict, verbose_name='备案信息'),
        ),
        # Encrypt the forms written before this migration (reversed: decrypted back to JSON text).
        onewindow.core.fieldcrypto.migrate_encrypt(('filings', 'filing')),
    ]
