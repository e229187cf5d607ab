"""E-mail really leaves through SMTP: a local aiosmtpd server in this process receives it."""

import email
import email.policy
import socket
import uuid

import pytest
from aiosmtpd.controller import Controller

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def test_the_confirmation_of_a_chinese_idea_arrives_by_smtp_in_chinese(
    world, smtp_server, django_capture_on_commit_callbacks
):
    from partnerhub.ideas import services

    data = {
        "title": "储能系统测试合作",
        "description": "寻找德国检测实验室。",
        "area": "technology",
        "organisation_name": "扬州储能科技有限公司",
        "organisation_kind": "sme",
        "organisation_country": "CN",
        "contact_name": "李娜",
        "contact_email": "li.na@storage.example.cn",
    }
    with django_capture_on_commit_callbacks(execute=True):
        idea, _ = services.submit_idea(
            agency=world.home_agency, data=data, language="zh-hans", submission_key=uuid.uuid4()
        )
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "li.na@storage.example.cn"
    assert "确认" in message["Subject"]
    body = message.get_content()
    assert idea.confirmation_token in body
    assert "/zh-hans/ideas/confirm/" in body
