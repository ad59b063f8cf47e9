
import onewindow.core.fieldcrypto
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('welfare', '0007_change_indexes'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='member',
            name='welfare_member_in_one_household',
        ),
        migrations.RemoveConstraint(
            model_name='member',
            name='welfare_member_once_per_household',
        ),
        migrations.AddField(
            model_name='household',
            name='phone_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(source='phone'),
        ),
        migrations.AddField(
            model_name='member',
            name='id_number_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(source='id_number'),
        ),
        migrations.AlterField(
            model_name='household',
            name='phone',
            field=onewindow.core.fieldcrypto.EncryptedCharField(blank=True, index_field='phone_hash', max_length=20, verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='member',
            name='id_number',
            field=onewindow.core.fieldcrypto.EncryptedCharField(index_field='id_number_hash', max_length=18, verbose_name='身份证号'),
        ),
        # Encrypt the rows written before this migration (and fill their lookup hashes), then
        # add the unique constraints and indexes on the hashes.
        onewindow.core.fieldcrypto.migrate_encrypt(('welfare', 'household'), ('welfare', 'member')),
        migrations.AlterField(
            model_name='member',
            name='id_number_hash',
            field=onewindow.core.fieldcrypto.BlindIndexField(db_index=True, source='id_number'),
        ),
        migrations.AddConstraint(
            model_name='member',
            constraint=models.UniqueConstraint(condition=models.Q(('in_payment', True)), fields=('id_number_hash',), name='welfare_member_in_one_household'),
        ),
        migrations.AddConstraint(
            model_name='member',
            constraint=models.UniqueConstraint(fields=('household', 'id_number_hash'), name='welfare_member_once_per_household'),
        ),
    ]
