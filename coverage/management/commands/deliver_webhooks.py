"""``manage.py deliver_webhooks``: send the webhook deliveries that are due, once or in a loop."""

from django.core.management.base import BaseCommand

from coverage import webhooks


class Command(BaseCommand):
    help = (
        "Send every webhook delivery that is due (the web processes' worker does the same). "
        "With --loop, keep sending as they come due, for operators who run deliveries apart "
        "(then LIVEBLOG_WEBHOOK_WORKER=0 on the web processes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running: sleep until the next is due.")

    def handle(self, *args, loop, verbosity, **options):
        if loop:
            self.stdout.write("Sending webhook deliveries as they come due (Ctrl-C to stop).")
            webhooks.Worker().run()
            return
        sent = webhooks.deliver_due()
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"{sent} deliver{'y' if sent == 1 else 'ies'} attempted."))
