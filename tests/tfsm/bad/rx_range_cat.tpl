Value A ([a-\w]+)

Start
  ^${A}
