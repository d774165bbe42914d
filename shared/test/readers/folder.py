"""Runs a reader over every .ics file of the folder given on the command line and prints one JSON
object: file name -> what the reader found, or the error it met."""
import json, os, sys

def read_folder(instants):
    out = {}
    folder = sys.argv[1]
    for name in sorted(os.listdir(folder)):
        if name.endswith('.ics'):
            try:
                out[name] = instants(os.path.join(folder, name))
            except Exception as error:
                out[name] = {'error': f'{type(error).__name__}: {error}'}
    print(json.dumps(out))

def components(parent, kind):
    """The subcomponents of one kind of a libical component, in order."""
    c = parent.get_first_component(kind)
    while c is not None:
        yield c
        c = parent.get_next_component(kind)
