Value A (\w+)
Value B (\w+)
Value C (\d+)

Start
  ^(?P<x>\w)(?P=x)${A} -> Record
  ^pos (?<=pos )${A}(?!\d) -> Record
  ^poss ${A}++ -> Record
  ^atom (?>${A}) ${B} -> Record
  ^cond (<)?${A}(?(1)>) -> Record
  ^oct \141\0${C} -> Record
  ^hex \x41\u0042\U00000043 ${A} -> Record
  ^esc \.\-\#\ \[${A}\] -> Record
  ^cls [\]a-c\-]+ ${A} -> Record
  ^rep ${A}{2,3}? ${B} -> Record
  ^lazy ${A}*? ${B}+? ${C}?? -> Record
  ^alt (?:x|yy|zzz)${A} -> Record
  ^brace x{ ${A} -> Record
