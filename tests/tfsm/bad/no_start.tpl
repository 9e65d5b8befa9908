Value A (\w+)

Begin
  ^${A}
