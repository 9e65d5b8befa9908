Value A (\w+)

Start
  ^a ${A} -> Record
  ^b ${A}
  ^stop -> End

End
