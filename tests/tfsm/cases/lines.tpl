Value L (.*)

Start
  ^${L} -> Record
