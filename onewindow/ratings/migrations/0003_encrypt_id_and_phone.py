
import onewindow.core.fieldcrypto
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ratings', '0002_follow_up_channel'),
    ]

    operations = [
        migrations.AddField(
            model_name='rating',
            name='rater_phone_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(source='rater_phone'),
        ),
        migrations.AlterField(
            model_name='rating',
            name='rater_phone',
            field=onewindow.core.fieldcrypto.EncryptedCharField(blank=True, index_field='rater_phone_hash', max_length=20, verbose_name='评价人电话'),
        ),
        # Encrypt the rows written before this migration (and fill their lookup hashes), then
        # add the unique constraints and indexes on the hashes.
        onewindow.core.fieldcrypto.migrate_encrypt(('ratings', 'rating')),
    ]
