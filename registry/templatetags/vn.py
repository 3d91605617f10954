from django import template

from registry.formats import long_date, short_date

register = template.Library()

register.filter("ngay", long_date)
register.filter("ngay_ngan", short_date)
