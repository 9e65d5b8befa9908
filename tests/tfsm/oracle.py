#!/usr/bin/python3
"""The reference: python3-textfsm's rows for TEMPLATE over FILE as JSON
(ParseTextToDicts), the input decoded as UTF-8 with errors="replace".
Exit 78 when textfsm rejects the template, 1 when the parse raises."""
import json
import sys

import textfsm

def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        try:
            fsm = textfsm.TextFSM(f)
        except (textfsm.TextFSMTemplateError, ValueError) as e:
            print("template error: %s" % e, file=sys.stderr)
            return 78
    with open(sys.argv[2], "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    try:
        rows = fsm.ParseTextToDicts(text)
    except textfsm.TextFSMError as e:
        print("parse error: %s" % e, file=sys.stderr)
        return 1
    json.dump(rows, sys.stdout, ensure_ascii=False)
    print()
    return 0

sys.exit(main())
