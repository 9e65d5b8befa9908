Value A (\w+)

Start
  ^x ${A}$ -> Record
