Value A (\w+)

Start
  ^${A} ${A}
