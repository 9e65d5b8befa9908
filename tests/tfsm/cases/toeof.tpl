Value A (\w+)

Start
  ^a ${A}
  ^stop -> EOF
