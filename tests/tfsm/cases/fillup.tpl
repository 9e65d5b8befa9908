Value Fillup TOTAL (\d+)
Value Fillup,Required NAME (\w+)
Value ITEM (\w+)

Start
  ^item ${ITEM} -> Record
  ^item2 ${ITEM} ${NAME} -> Record
  ^total ${TOTAL} -> Record
