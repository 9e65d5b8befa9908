Value A (\w+)
Value B (\w+)
Value C (\w+)

Start
  ^${A} -> Continue
  ^\w+ ${B} -> Continue.Record
  ^\w+ \w+ ${C}
  ^${A} -> Record
