Value Required R (\w*)
Value O (\w*)
Value Filldown D (\w+)

Start
  ^d ${D}
  ^r ${R} ${O} -> Record
  ^o ${O} -> Record
  ^e ${R}${O} -> Record
