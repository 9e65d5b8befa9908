Value A (\w+)
Value A (\d+)

Start
  ^${A}
