from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from jiliang.core.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo logins, one per role."

    def handle(self, *args, **options):
        users = get_user_model().objects.filter(username__startswith="demo-").order_by("id")
        if not users:
            self.stdout.write("No demo users: run `jiliang demo` first.")
            return
        self.stdout.write("\njiliang is starting on http://127.0.0.1:8000/ — demo logins (password: "
                          f"{DEMO_PASSWORD}):")
        for u in users:
            where = u.organisation or u.region or "whole province"
            role = "superuser (admin at /admin/)" if u.is_superuser else u.role
            self.stdout.write(f"  {u.username:<22} {role:<28} {where}")
        self.stdout.write("")
