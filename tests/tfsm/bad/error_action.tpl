Value A (\w+)

Start
  ^a ${A} -> Record
  ^bad -> Error "bad line seen"
