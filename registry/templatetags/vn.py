from django import template

from registry.formats import long_date, person_name, short_date

register = template.Library()

register.filter("ngay", long_date)
register.filter("ngay_ngan", short_date)
register.filter("ten", person_name)
