Value A (\w+)

Start
  ^${A} -> Continue Other

Other
  ^x
