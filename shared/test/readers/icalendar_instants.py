"""Reads every .ics file of a folder with Python icalendar and prints, as JSON, the UTC instant of each
DTSTART/DTEND, resolved with the file's own VTIMEZONE (icalendar 4 would otherwise look the TZID up
in pytz by name and ignore the VTIMEZONE), plus the TZIDs used and defined."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from folder import read_folder
import icalendar

def instants(path):
    cal = icalendar.Calendar.from_ical(open(path, 'rb').read())
    zones = {str(z['TZID']): z.to_tz() for z in cal.walk('VTIMEZONE')}
    used, times = set(), []
    for event in cal.walk('VEVENT'):
        for name in ('DTSTART', 'DTEND'):
            prop = event[name]
            tzid = prop.params.get('TZID')
            wall = event.decoded(name)
            if tzid is None:
                if wall.tzinfo is None:
                    raise ValueError(f'{name} is floating')
                times.append(wall.timestamp())
                continue
            used.add(str(tzid))
            zone = zones.get(str(tzid))
            if zone is None:
                raise ValueError(f'TZID {tzid} has no VTIMEZONE')
            times.append(zone.localize(wall.replace(tzinfo=None)).timestamp())
    return {'used': sorted(used), 'defined': sorted(zones), 'times': times}

read_folder(instants)
