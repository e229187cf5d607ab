"""The first privacy notice, so public forms work on a fresh installation. Agencies publish their own."""

from django.db import migrations

TEXT = {
    "de": (
        "Wir verarbeiten Ihre Angaben (Name, Organisation, Kontaktdaten, Projektbeschreibung), um Ihre "
        "Projektidee zu prüfen, Sie zu kontaktieren und passende Partner zu suchen. Dazu können wir Ihre "
        "Angaben mit unseren Partneragenturen im Ausland teilen. Ihre Einwilligung können Sie jederzeit per "
        "E-Mail widerrufen; nicht bestätigte Einreichungen werden automatisch gelöscht."
    ),
    "en": (
        "We process your details (name, organisation, contact data, project description) to assess your "
        "project idea, contact you and look for suitable partners. For this we may share your details with "
        "our partner agencies abroad. You can withdraw your consent at any time by e-mail; submissions that "
        "are never confirmed are deleted automatically."
    ),
    "zh-hans": (
        "我们处理您提供的信息（姓名、机构、联系方式、项目描述），用于评估您的项目构想、与您联系并寻找合适的合作伙伴。"
        "为此，我们可能与境外合作机构共享您的信息。您可随时通过电子邮件撤回同意；未经确认的提交将被自动删除。"
    ),
}


def create(apps, schema_editor):
    import json

    notice = apps.get_model("privacy", "PrivacyNotice")
    if not notice.objects.exists():
        notice.objects.create(version=1, text=json.dumps(TEXT, ensure_ascii=False))


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
