/* Django's admin messages for its scripts that Django 5.2's Persian catalog (djangojs) lacks: named
 * here so that `makemessages -d djangojs` keeps them in the portal's catalog, whose translations the
 * admin's JavaScript catalog (jsi18n) adds to Django's. Never loaded; see django_admin.py. */
/* SelectFilter2.js: the two boxes of filter_horizontal */
gettext_noop('Choose %s by selecting them and then select the "Choose" arrow button.');
gettext_noop("Choose all %s");
gettext_noop("Choose selected %s");
gettext_noop("Remove selected %s");
gettext_noop('Remove %s by selecting them and then select the "Remove" arrow button.');
gettext_noop("Type into this box to filter down the list of selected %s.");
gettext_noop("(click to clear)");
gettext_noop("Remove all %s");
ngettext("%s selected option not visible", "%s selected options not visible", 1);
/* calendar.js: the days of the week */
gettext_noop("Sunday");
gettext_noop("Monday");
gettext_noop("Tuesday");
gettext_noop("Wednesday");
gettext_noop("Thursday");
gettext_noop("Friday");
gettext_noop("Saturday");
pgettext("abbrev. day Sunday", "Sun");
pgettext("abbrev. day Monday", "Mon");
pgettext("abbrev. day Tuesday", "Tue");
pgettext("abbrev. day Wednesday", "Wed");
pgettext("abbrev. day Thursday", "Thur");
pgettext("abbrev. day Friday", "Fri");
pgettext("abbrev. day Saturday", "Sat");
