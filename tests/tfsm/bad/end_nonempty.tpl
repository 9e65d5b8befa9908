Value A (\w+)

Start
  ^${A}

End
  ^x
