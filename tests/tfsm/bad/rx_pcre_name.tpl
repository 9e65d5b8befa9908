Value A (\w)

Start
  ^(?<n>x)${A}
