Value A (\w+)

Start
  ^a ${A}

End
