Value Filldown,List ALL (\w+)
Value List ONE (\w+)
Value Required KEY (\w+)

Start
  ^a ${ALL}
  ^o ${ONE}
  ^k ${KEY} -> Record
