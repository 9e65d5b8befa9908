Value A (\w+)

Start
  ^(?<=a|bc)${A}
