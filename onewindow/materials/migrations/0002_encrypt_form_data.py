
import onewindow.core.fieldcrypto
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('materials', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='applicationdraft',
            name='form_data',
            field=onewindow.core.fieldcrypto.EncryptedJSONField(blank=True, default=dict),
        ),
        # Encrypt the drafts written before this migration (reversed: decrypted back to JSON text).
        onewindow.core.fieldcrypto.migrate_encrypt(('materials', 'applicationdraft')),
    ]
