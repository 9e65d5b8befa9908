Value A (\w+)

Start
  ^${A}

my-state
  ^x
