Value Filldown F (\w+)
Value List L (\w+)
Value K (\w+)

Start
  ^f(?: ${F})? ${K} -> Record
  ^l(?: ${L})?
