Value A-B (\w+)

Start
  ^${A-B}
