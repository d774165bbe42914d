"""Reads every .ics file of a folder with libical (ICalGLib through GObject introspection) and prints,
as JSON, the UTC instant of each DTSTART/DTEND resolved with the file's own VTIMEZONE (not libical's
built-in zones), plus the TZIDs used and defined."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from folder import components, read_folder
import gi
gi.require_version('ICalGLib', '3.0')
from gi.repository import ICalGLib as I

PROPS = {'DTSTART': (I.PropertyKind.DTSTART_PROPERTY, 'get_dtstart'), 'DTEND': (I.PropertyKind.DTEND_PROPERTY, 'get_dtend')}

def instants(path):
    cal = I.Component.new_from_string(open(path, encoding='utf-8').read())
    if cal is None or cal.isa() != I.ComponentKind.VCALENDAR_COMPONENT:
        raise ValueError('not a VCALENDAR')
    defined = []
    for zone in components(cal, I.ComponentKind.VTIMEZONE_COMPONENT):
        defined.append(zone.get_first_property(I.PropertyKind.TZID_PROPERTY).get_tzid())
    used, times = set(), []
    for event in components(cal, I.ComponentKind.VEVENT_COMPONENT):
        for name, (kind, getter) in PROPS.items():
            prop = event.get_first_property(kind)
            if prop is None:
                raise ValueError(f'no {name}')
            time = getattr(prop, getter)()
            param = prop.get_first_parameter(I.ParameterKind.TZID_PARAMETER)
            if param is None:
                if not time.is_utc():
                    raise ValueError(f'{name} is floating')
                times.append(time.as_timet())
                continue
            tzid = param.get_tzid()
            used.add(tzid)
            zone = cal.get_timezone(tzid)
            if zone is None:
                raise ValueError(f'TZID {tzid} has no VTIMEZONE')
            times.append(time.as_timet_with_zone(zone))
    return {'used': sorted(used), 'defined': sorted(defined), 'times': times}

read_folder(instants)
