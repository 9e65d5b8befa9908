Value A (\p{L})

Start
  ^${A}
