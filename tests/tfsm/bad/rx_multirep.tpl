Value A (a**)

Start
  ^${A}
