Value A (\w+)

Start
  ^${A} -> Nowhere
