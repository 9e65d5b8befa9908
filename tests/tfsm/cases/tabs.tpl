Value Name-With-Dash (\w+)
Value A (\w+)

Start
	^tab ${A} -> Record
 ^one ${A}  -> Record
  ^two -> ${A} -> Record
