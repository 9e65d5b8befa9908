Value X (a)|(b)
Value Y (\w+)

Start
  ^${X} ${Y} -> Record
