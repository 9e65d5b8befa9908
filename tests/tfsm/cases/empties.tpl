Value A (\w*)
Value B (\w*)

Start
  ^n -> Record
  ^e ${A}${B} -> Record
  ^a ${A} -> Record
