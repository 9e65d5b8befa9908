Value A (a)

Start
  ^${A}\10
