Value A (\(x)

Start
  ^${A}
