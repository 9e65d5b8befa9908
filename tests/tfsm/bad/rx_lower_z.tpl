Value A (\w+)

Start
  ^${A}\z
