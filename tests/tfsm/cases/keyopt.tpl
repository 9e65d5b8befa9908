Value Key NAME (\S+)
Value Key,Filldown HOST (\S+)

Start
  ^host ${HOST}
  ^name ${NAME} -> Record
