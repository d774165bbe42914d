"""Reads every .ics file of a folder with libical (ICalGLib through GObject introspection) and prints, as JSON,
the local wall times (YYYYMMDDTHHMMSS) of the first VEVENT's occurrences as libical's RRULE iterator expands
them from DTSTART in the file's own VTIMEZONE, at most 1,000."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from folder import components, read_folder
import gi
gi.require_version('ICalGLib', '3.0')
from gi.repository import ICalGLib as I

def occurrences(path):
    cal = I.Component.new_from_string(open(path, encoding='utf-8').read())
    if cal is None or cal.isa() != I.ComponentKind.VCALENDAR_COMPONENT:
        raise ValueError('not a VCALENDAR')
    zones = {}
    for zone in components(cal, I.ComponentKind.VTIMEZONE_COMPONENT):
        tz = I.Timezone.new()
        tz.set_component(zone.clone())
        zones[zone.get_first_property(I.PropertyKind.TZID_PROPERTY).get_tzid()] = tz
    event = cal.get_first_component(I.ComponentKind.VEVENT_COMPONENT)
    start = event.get_dtstart()
    tzid = event.get_first_property(I.PropertyKind.DTSTART_PROPERTY).get_first_parameter(I.ParameterKind.TZID_PARAMETER)
    if tzid is not None:
        start.set_timezone(zones[tzid.get_tzid()])
    rule = event.get_first_property(I.PropertyKind.RRULE_PROPERTY).get_rrule()
    iterator = I.RecurIterator.new(rule, start)
    out = []
    time = iterator.next()
    while time is not None and not time.is_null_time() and len(out) < 1000:
        out.append(time.as_ical_string().rstrip('Z'))
        time = iterator.next()
    return {'occurrences': out}

read_folder(occurrences)
