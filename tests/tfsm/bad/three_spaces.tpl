Value A (\w+)

Start
   ^${A}
