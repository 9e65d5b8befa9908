Value A (\h)

Start
  ^${A}
