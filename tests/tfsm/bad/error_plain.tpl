Value A (\w+)

Start
  ^bad -> Error
