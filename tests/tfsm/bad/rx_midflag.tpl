Value A (\w+)

Start
  ^(?i)${A}
