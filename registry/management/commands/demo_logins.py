from django.core.management.base import BaseCommand

from registry.demo import demo_logins


class Command(BaseCommand):
    help = "In danh sách tài khoản dùng thử, mỗi vai trò một tài khoản."

    def handle(self, *args, **options):
        rows = demo_logins()
        if not rows:
            self.stdout.write("No demo users. Run: manage.py demo_block")
            return
        self.stdout.write("Tài khoản dùng thử (tên đăng nhập / mật khẩu — vai trò — tổ chức):")
        for username, password, role, organization in rows:
            self.stdout.write(f"  {username:<13} / {password} — {role} — {organization}")
