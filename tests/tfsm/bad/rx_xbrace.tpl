Value A (\x{41})

Start
  ^${A}
