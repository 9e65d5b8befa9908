Value A (\w+)

Start
  ^x ${B} -> Record
