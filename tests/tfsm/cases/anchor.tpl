Value A (\S+)
Value B (\S*)

Start
  ^${A}
  ^\s+${B} -> Record
