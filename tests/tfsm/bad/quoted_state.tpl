Value A (\w+)

Start
  ^${A} -> Next "q"
