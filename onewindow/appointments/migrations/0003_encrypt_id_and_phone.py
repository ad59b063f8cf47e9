
import onewindow.core.fieldcrypto
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0002_slotday'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='booking',
            name='appt_one_active_per_person_matter',
        ),
        migrations.RemoveConstraint(
            model_name='weeklyquota',
            name='appt_quota_one_row',
        ),
        migrations.AddField(
            model_name='booking',
            name='id_number_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(source='id_number'),
        ),
        migrations.AddField(
            model_name='booking',
            name='phone_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(source='phone'),
        ),
        migrations.AddField(
            model_name='weeklyquota',
            name='id_number_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(source='id_number'),
        ),
        migrations.AlterField(
            model_name='booking',
            name='id_number',
            field=onewindow.core.fieldcrypto.EncryptedCharField(index_field='id_number_hash', max_length=18, verbose_name='证件号码'),
        ),
        migrations.AlterField(
            model_name='booking',
            name='phone',
            field=onewindow.core.fieldcrypto.EncryptedCharField(blank=True, index_field='phone_hash', max_length=20, verbose_name='手机号'),
        ),
        migrations.AlterField(
            model_name='weeklyquota',
            name='id_number',
            field=onewindow.core.fieldcrypto.EncryptedCharField(index_field='id_number_hash', max_length=18),
        ),
        # Encrypt the rows written before this migration (and fill their lookup hashes), then
        # add the unique constraints and indexes on the hashes.
        onewindow.core.fieldcrypto.migrate_encrypt(('appointments', 'booking'), ('appointments', 'weeklyquota')),
        migrations.AlterField(
            model_name='booking',
            name='id_number_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(db_index=True, source='id_number'),
        ),
        migrations.AddConstraint(
            model_name='booking',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'booked')), fields=('id_number_hash', 'matter'), name='appt_one_active_per_person_matter'),
        ),
        migrations.AddConstraint(
            model_name='weeklyquota',
            constraint=models.UniqueConstraint(fields=('id_number_hash', 'week_start'), name='appt_quota_one_row'),
        ),
    ]
