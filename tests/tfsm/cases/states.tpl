Value Filldown PROTO (\w+)
Value NEIGH (\S+)
Value STATE (\w+)
Value Required,List FLAGS ([A-Z])

Start
  # comments anywhere
  ^Protocol ${PROTO} -> Neighbors
	^ignored

Neighbors
  ^  ${NEIGH}\s+${STATE} -> Continue
  ^  \S+\s+\w+\s+${FLAGS} -> Record
  ^Protocol ${PROTO}
  ^$$ -> Start
