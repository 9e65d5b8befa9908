Value A (\w+)

Start
  ^a ${A} -> Record
  ^bad -> Error "never here"
