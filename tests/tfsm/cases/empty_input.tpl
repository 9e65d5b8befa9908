Value A (\w+)

Start
  ^${A} -> Record
