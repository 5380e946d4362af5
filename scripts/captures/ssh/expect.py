#!/usr/bin/python3
"""Write a captures/<name>.expect.json file for scripts/captures/ssh.sh.

  expect.py OUT DESCRIPTION GENERATOR TOOLS [--option ARG]... [--conn KEY=VALUE...]...

Each --conn starts one expected connection record; its KEY=VALUE words set fields, with
dotted keys for nested objects (verdict.code=ssh.ok, ssh.hostKey.type=ssh-ed25519).
A VALUE of `null` is JSON null, `#123` is the number 123, anything else is a string.
Connections keep the order given (the order of their first packet in the capture).
"""

import json
import sys


def typed(value):
    if value == 'null':
        return None
    if value.startswith('#'):
        return int(value[1:])
    return value


def set_path(record, key, value):
    parts = key.split('.')
    node = record
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise SystemExit('expect.py: %s: %s is not an object' % (key, part))
        node = child
    if parts[-1] in node:
        raise SystemExit('expect.py: %s given twice' % key)
    node[parts[-1]] = typed(value)


def main(argv):
    if len(argv) < 5:
        raise SystemExit(__doc__)
    out, description, generator, tools = argv[1:5]
    options, connections = [], []
    words = iter(argv[5:])
    for word in words:
        if word == '--option':
            options.append(next(words))
        elif word == '--conn':
            connections.append({})
        elif '=' in word and connections:
            key, value = word.split('=', 1)
            set_path(connections[-1], key, value)
        else:
            raise SystemExit('expect.py: unexpected argument %r' % word)
    if not connections:
        raise SystemExit('expect.py: no --conn given')
    doc = {'description': description, 'generator': generator, 'tools': tools,
           'options': options, 'connections': connections}
    with open(out, 'w', encoding='utf-8') as f:
        f.write(json.dumps(doc, indent=2, ensure_ascii=False) + '\n')


if __name__ == '__main__':
    main(sys.argv)
